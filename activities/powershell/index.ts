// The PowerShell layer's public surface: activities and the worker import from here.
export * from './errors';
export { createExchangeClient, closeDefaultShellPool, ExchangeShell } from './client';
export type { ExchangeClientDeps } from './client';
export type { ExchangeClient, NewAuthCertificateOptions } from './exchange-client';
export { ShellSession, ShellSessionPool } from './session';
export type { CommandSession, RunCommandOptions, SessionFactory } from './session';
export {
  exchangeShellSettingsSchema,
  parseShellSettings,
  simulatedSettingsSchema,
  localSettingsSchema,
  remoteSettingsSchema,
} from './settings';
export type { ExchangeShellSettings, ExchangeShellSettingsInput } from './settings';
