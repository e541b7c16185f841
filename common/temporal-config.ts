// How a program reaches Temporal: the TEMPORAL_* variables the worker, `npm start`, the demo and the CLI share, and the
// connection options they become. No Node built-ins: the caller hands in its environment and a way to read files.
import type { TLSConfig } from '@temporalio/client';
import { z } from 'zod';
import { booleanText, configurationError, hostPort, httpUrl, parseVariables } from './environment';
import type { Environment } from './environment';

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';
/** The Web UI of the dev server `npm start` runs (and of docker-compose.yml). */
export const DEFAULT_TEMPORAL_UI_URL = 'http://localhost:8233';

export const temporalVariables = {
  TEMPORAL_ADDRESS: hostPort('localhost:7233').optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default(DEFAULT_TEMPORAL_NAMESPACE),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: booleanText.optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Where people open the Temporal Web UI: links in notifications and in the CLI's output point there. */
  TEMPORAL_UI_URL: httpUrl().optional(),
};

export type TemporalVariables = z.output<z.ZodObject<typeof temporalVariables>>;

export interface TemporalConfig {
  /** Absent: `npm start` runs its own dev server; the worker and the CLI default to localhost:7233. */
  address?: string;
  namespace: string;
  apiKey?: string;
  tls?: {
    clientCertPair?: { certPath: string; keyPath: string };
    caPath?: string;
    serverNameOverride?: string;
  };
  /** The Web UI's base URL, without a trailing slash. */
  uiUrl: string;
}

export function temporalConfigFrom(env: TemporalVariables): TemporalConfig {
  const { TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: keyPath } = env;
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw configurationError(
      certPath ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH',
      'is required with its pair for mutual TLS',
    );
  }
  const wantsTls =
    env.TEMPORAL_TLS ??
    Boolean(certPath || env.TEMPORAL_TLS_CA_PATH || env.TEMPORAL_TLS_SERVER_NAME || env.TEMPORAL_API_KEY);
  return {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    apiKey: env.TEMPORAL_API_KEY,
    tls: wantsTls
      ? {
          clientCertPair: certPath && keyPath ? { certPath, keyPath } : undefined,
          caPath: env.TEMPORAL_TLS_CA_PATH,
          serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
        }
      : undefined,
    uiUrl: (env.TEMPORAL_UI_URL ?? DEFAULT_TEMPORAL_UI_URL).replace(/\/+$/, ''),
  };
}

/** Only the TEMPORAL_* variables: the CLI does not care about the worker's Exchange settings. */
export function loadTemporalConfig(env: Environment): TemporalConfig {
  return temporalConfigFrom(parseVariables(z.object(temporalVariables), env));
}

export interface ConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

/** For Connection.connect (the CLI) and NativeConnection.connect (the worker); `readFile` reads the TLS files. */
export function connectionOptionsFor(config: TemporalConfig, readFile: (file: string) => Buffer): ConnectionOptions {
  const read = (variable: string, file: string): Buffer => {
    try {
      return readFile(file);
    } catch (cause) {
      throw configurationError(variable, `cannot read ${file}`, { cause });
    }
  };
  let tls: TLSConfig | undefined;
  if (config.tls) {
    tls = { serverNameOverride: config.tls.serverNameOverride };
    if (config.tls.caPath) tls.serverRootCACertificate = read('TEMPORAL_TLS_CA_PATH', config.tls.caPath);
    if (config.tls.clientCertPair) {
      tls.clientCertPair = {
        crt: read('TEMPORAL_TLS_CERT_PATH', config.tls.clientCertPair.certPath),
        key: read('TEMPORAL_TLS_KEY_PATH', config.tls.clientCertPair.keyPath),
      };
    }
  }
  return { address: config.address ?? DEFAULT_TEMPORAL_ADDRESS, tls, apiKey: config.apiKey };
}

/** The Web UI's page of a workflow (its latest run): what a notification or the CLI links to. */
export function workflowUrl(config: Pick<TemporalConfig, 'uiUrl' | 'namespace'>, workflowId: string): string {
  return `${config.uiUrl}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
