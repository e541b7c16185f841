// Every name that two parts of the system must agree on lives here, once. No Node built-ins: workflows import this.
import { z } from 'zod';

export const AUTH_CERTIFICATE_SUBJECT = 'cn=Microsoft Exchange Server Auth Certificate';
export const AUTH_CERTIFICATE_FRIENDLY_NAME = 'Microsoft Exchange Server Auth Certificate';
export const AUTH_CERTIFICATE_KEY_SIZE = 2048;

export const OWA_APP_POOL = 'MSExchangeOWAAppPool';
export const ECP_APP_POOL = 'MSExchangeECPAppPool';
export const AUTH_APP_POOLS = [OWA_APP_POOL, ECP_APP_POOL] as const;
export const SERVICE_HOST_SERVICE = 'MSExchangeServiceHost';

export const AUTH_ADMIN_EVENT_SOURCE = 'MSExchange AuthAdmin';
export const AUTH_ADMIN_PUBLISHED_EVENT_ID = 2014;
export const APPLICATION_LOG = 'Application';
/** The AuthAdmin servicelet runs when MSExchangeServiceHost starts and then every 12 hours. */
export const AUTH_ADMIN_CYCLE_HOURS = 12;
/** Microsoft recommends at least 48 hours between staging and the effective date. */
export const MIN_RECOMMENDED_EFFECTIVE_HOURS = 48;
export const DEFAULT_EFFECTIVE_HOURS = 49;
/** The least lead time even with the acknowledgement: replication within a site takes about an hour. */
export const MIN_EFFECTIVE_HOURS = 1;
/** Microsoft's own script stages a new certificate 30 days ahead; further is more likely a typo than a plan. */
export const MAX_EFFECTIVE_HOURS = 30 * 24;

export const ROTATE_WORKFLOW_TYPE = 'rotateAuthCertificate';
export const CHECK_WORKFLOW_TYPE = 'checkAuthCertificate';

const TASK_QUEUE_PREFIX = 'exchange-auth-cert';

/** Organisation names become parts of IDs; keep them to a safe, readable alphabet. */
export const ORGANIZATION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The organisation name's rule, checked the same way (and worded the same) wherever a name comes in. */
export const organizationSchema = z
  .string({ error: 'is required: the name of the Exchange organisation' })
  .regex(ORGANIZATION_PATTERN, 'must be 1-63 letters, digits, ".", "-" or "_", starting with a letter or digit');

/** A task queue per organisation, so a worker can sit next to each Exchange organisation. */
export function taskQueueFor(organization: string): string {
  return `${TASK_QUEUE_PREFIX}.${organization.toLowerCase()}`;
}

/** One rotation per organisation at a time: the workflow ID is derived from the organisation alone. */
export function rotationWorkflowId(organization: string): string {
  return `rotate-auth-cert.${organization.toLowerCase()}`;
}

export function checkWorkflowId(organization: string): string {
  return `check-auth-cert.${organization.toLowerCase()}`;
}

export function yearlyRotationScheduleId(organization: string): string {
  return `rotate-auth-cert-yearly.${organization.toLowerCase()}`;
}

export function dailyCheckScheduleId(organization: string): string {
  return `check-auth-cert-daily.${organization.toLowerCase()}`;
}
