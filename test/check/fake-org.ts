// An in-memory organisation for the check workflow's multi-year tests. Its clock is Temporal's: each activity reads the
// time at which the (time-skipping) server scheduled it, so simulated years pass in seconds.
import { Context } from '@temporalio/activity';
import type { OrganizationSnapshot, RotationNotification } from '../../common/rotation';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface FakeCertificate {
  thumbprint: string;
  notBefore: string;
  notAfter: string;
}

export interface FakeOrganization {
  current: FakeCertificate | null;
  /** Servers that do not answer (their lookups are "unreachable"). */
  unreachable: string[];
  /** Servers lacking the current certificate. */
  missingOn: string[];
  renewals: Array<{ at: string; force: boolean; thumbprint: string }>;
  notifications: RotationNotification[];
  validityDays: number;
  /** Every inspection fails with this error (a worker that cannot reach Exchange), until cleared. */
  inspectionFails?: Error;
  inspections: number;
}

let serial = 0;

export function certificate(nowMs: number, validDays: number): FakeCertificate {
  serial += 1;
  return {
    thumbprint: serial.toString(16).toUpperCase().padStart(40, 'A'),
    notBefore: new Date(nowMs).toISOString(),
    notAfter: new Date(nowMs + validDays * DAY_MS).toISOString(),
  };
}

export function createFakeOrganization(init: Partial<FakeOrganization> = {}): FakeOrganization {
  return {
    current: null,
    unreachable: [],
    missingOn: [],
    renewals: [],
    notifications: [],
    validityDays: 365,
    inspections: 0,
    ...init,
  };
}

const SERVERS = [
  { name: 'EX1', fqdn: 'ex1.contoso.test', site: 'Default-First-Site-Name' },
  { name: 'EX2', fqdn: 'ex2.contoso.test', site: 'Default-First-Site-Name' },
];

/** Temporal's time for this activity: the (skipped) time at which the server scheduled it. */
function temporalNow(): number {
  return Context.current().info.currentAttemptScheduledTimestampMs;
}

export function snapshotOf(org: FakeOrganization, nowMs: number): OrganizationSnapshot {
  return {
    serverTime: new Date(nowMs).toISOString(),
    serverClockRate: 1,
    authConfig: {
      currentCertificateThumbprint: org.current?.thumbprint ?? null,
      previousCertificateThumbprint: null,
      nextCertificateThumbprint: null,
      nextCertificateEffectiveDate: null,
    },
    servers: SERVERS.map((server) => {
      if (org.unreachable.includes(server.name)) {
        return {
          ...server,
          current: 'unreachable',
          next: null,
          unreachableReason: 'WinRM: the server is not reachable',
        };
      }
      return {
        ...server,
        current: org.current ? (org.missingOn.includes(server.name) ? 'missing' : 'present') : null,
        next: null,
      };
    }),
    current: org.current,
    next: null,
    hybrid: true,
    enableAuthAdminReadSession: true,
  };
}

/** A stand-in rotation in progress: the certificate is renewed after this many more inspections. */
export interface PendingRotation {
  workflowId: string;
  runId: string;
  force: boolean;
  checksLeft: number;
}

/**
 * `onRotationOver` is told when the fake organisation has renewed the certificate for a stand-in rotation, so the test
 * can end that run (see test/check/workflows.ts for why it does not end itself).
 */
export function fakeOrganizationActivities(
  org: FakeOrganization,
  onRotationOver: (workflowId: string, runId: string) => void = () => undefined,
  checksPerRotation = 2,
) {
  let pending: PendingRotation | undefined;
  return {
    async inspectOrganization(): Promise<OrganizationSnapshot> {
      const now = temporalNow();
      org.inspections += 1;
      if (org.inspectionFails) throw org.inspectionFails;
      if (pending && --pending.checksLeft <= 0) {
        // The rotation finished an hour before this check, which sees the new certificate.
        const renewedAt = now - DAY_MS / 24;
        org.current = certificate(renewedAt, org.validityDays);
        org.missingOn = [];
        org.renewals.push({
          at: new Date(renewedAt).toISOString(),
          force: pending.force,
          thumbprint: org.current.thumbprint,
        });
        onRotationOver(pending.workflowId, pending.runId);
        pending = undefined;
      }
      return snapshotOf(org, now);
    },
    async notify(notification: RotationNotification): Promise<void> {
      org.notifications.push(notification);
    },
    async rotationStarted(force: boolean): Promise<void> {
      const { workflowId, runId } = Context.current().info.workflowExecution!;
      pending = { workflowId, runId, force, checksLeft: checksPerRotation };
    },
  };
}

export type FakeOrganizationActivities = ReturnType<typeof fakeOrganizationActivities>;
