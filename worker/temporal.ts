// Connection options for a Temporal cluster, shared by the worker (NativeConnection) and the CLI (Connection).
import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigurationError, TemporalConfig } from './config';

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';

function readFile(variable: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (cause) {
    throw new ConfigurationError(`invalid configuration: ${variable}: cannot read ${file}`, { cause });
  }
}

export interface ConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

export function connectionOptionsFor(config: TemporalConfig): ConnectionOptions {
  let tls: TLSConfig | undefined;
  if (config.tls) {
    tls = { serverNameOverride: config.tls.serverNameOverride };
    if (config.tls.caPath) tls.serverRootCACertificate = readFile('TEMPORAL_TLS_CA_PATH', config.tls.caPath);
    if (config.tls.clientCertPair) {
      tls.clientCertPair = {
        crt: readFile('TEMPORAL_TLS_CERT_PATH', config.tls.clientCertPair.certPath),
        key: readFile('TEMPORAL_TLS_KEY_PATH', config.tls.clientCertPair.keyPath),
      };
    }
  }
  return { address: config.address ?? DEFAULT_TEMPORAL_ADDRESS, tls, apiKey: config.apiKey };
}
