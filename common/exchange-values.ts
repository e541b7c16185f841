// Enumerations of Exchange and Windows PowerShell that more than one part of the service names: the worker's
// configuration, the shell settings, the cmdlet catalogue and the output parser. No Node built-ins.

/** The remote session's -Authentication values the service supports (Kerberos is the default of a domain). */
export const EXCHANGE_AUTHENTICATIONS = ['Kerberos', 'Negotiate', 'Basic', 'Default'] as const;
export type ExchangeAuthentication = (typeof EXCHANGE_AUTHENTICATIONS)[number];

/**
 * Microsoft.Exchange...AllowedServices, in bit order: a certificate's Services as a flags enum. Its [string] form
 * reads "IMAP, POP, IIS, SMTP", lowest bit first; New- and Enable-ExchangeCertificate -Services take the names.
 */
export const ALLOWED_SERVICES_BITS = {
  None: 0,
  IMAP: 1,
  POP: 2,
  UM: 4,
  IIS: 8,
  SMTP: 16,
  Federation: 32,
  UMCallRouter: 64,
} as const;
export type AllowedService = keyof typeof ALLOWED_SERVICES_BITS;
export const ALLOWED_SERVICES = Object.keys(ALLOWED_SERVICES_BITS) as AllowedService[];
