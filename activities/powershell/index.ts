// The PowerShell layer's public surface: activities and the worker import from here.
export * from './errors';
export { createExchangeClient, closeDefaultShellPool, ExchangeShell } from './client';
export type { ExchangeClientDeps } from './client';
export type { ExchangeClient, NewAuthCertificateOptions } from './exchange-client';
export { ShellSession } from './session';
export { ShellSessionPool, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_SESSIONS } from './pool';
export type { ShellPoolOptions } from './pool';
export {
  exchangeShellSettingsSchema,
  parseShellSettings,
  simulatedSettingsSchema,
  localSettingsSchema,
  remoteSettingsSchema,
} from './settings';
export type { ExchangeShellSettings, ExchangeShellSettingsInput } from './settings';
