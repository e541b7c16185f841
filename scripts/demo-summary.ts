// The demo's verdict, from the simulated organisation itself rather than from the workflow's account of its own work:
// every server holds the new certificate, announced it with event 2014, and recycled both pools after publication.
import { AUTH_ADMIN_PUBLISHED_EVENT_ID, AUTH_APP_POOLS } from '../common/names';
import type { RotationReport } from '../common/rotation';
import type { Organisation } from 'simulated-exchange';

export interface DemoServerSummary {
  name: string;
  /** The current certificate this server's AuthAdmin servicelet announced (event 2014). */
  currentThumbprint: string | null;
  hasNewCertificate: boolean;
  event2014: boolean;
  poolsRecycledAfterPublication: boolean;
  signIn: boolean;
}

export interface DemoSummary {
  outcome: string;
  organization: string;
  workflowId: string;
  path: string | null;
  previousThumbprint: string | null;
  newThumbprint: string | null;
  publishedAt: string | null;
  servers: DemoServerSummary[];
  hcw: { status: string; by: string | null };
  /** Everything the demo promises held. */
  ok: boolean;
  problems: string[];
}

export function demoSummary(
  organization: string,
  org: Organisation,
  report: RotationReport,
  signIn: (serverName: string) => boolean,
): DemoSummary {
  const problems: string[] = [];
  const newThumbprint = report.newThumbprint;
  const a = org.authConfig;
  if (!newThumbprint) problems.push('the workflow reported no new certificate');
  else if (a.currentCertificateThumbprint !== newThumbprint) {
    problems.push(
      `AuthConfig's current certificate is ${a.currentCertificateThumbprint}, not the new ${newThumbprint}`,
    );
  }

  // Publication is when AuthConfig switched: whenChanged, or the first event 2014 naming the new certificate if a
  // later Set-AuthConfig moved whenChanged on.
  const eventTimes = org.servers.flatMap((s) =>
    s.events
      .filter((e) => e.id === AUTH_ADMIN_PUBLISHED_EVENT_ID && newThumbprint && e.message.includes(newThumbprint))
      .map((e) => e.time),
  );
  const candidates = [...eventTimes, ...(a.currentCertificateThumbprint === newThumbprint ? [a.whenChanged] : [])];
  const publishedAt = candidates.length ? Math.min(...candidates) : null;

  const servers = org.servers
    .filter((s) => !s.roles.includes('Edge'))
    .map((s): DemoServerSummary => {
      const hasNewCertificate = newThumbprint !== null && s.certificates.some((c) => c.thumbprint === newThumbprint);
      const event2014 =
        newThumbprint !== null &&
        s.events.some((e) => e.id === AUTH_ADMIN_PUBLISHED_EVENT_ID && e.message.includes(newThumbprint));
      const pools = AUTH_APP_POOLS.map((name) => s.appPools.find((p) => p.name.toLowerCase() === name.toLowerCase()));
      const poolsRecycledAfterPublication =
        publishedAt !== null &&
        pools.every((p) => p !== undefined && p.lastRecycle >= publishedAt && p.cachedCertificate === newThumbprint);
      const summary = {
        name: s.name,
        currentThumbprint: s.serviceHost.announcedCurrent,
        hasNewCertificate,
        event2014,
        poolsRecycledAfterPublication,
        signIn: signIn(s.name),
      };
      if (!hasNewCertificate) problems.push(`${s.name} lacks the new certificate`);
      if (summary.currentThumbprint !== newThumbprint)
        problems.push(`${s.name} announced ${summary.currentThumbprint} as current`);
      if (!event2014) problems.push(`${s.name} wrote no event 2014 for the new certificate`);
      if (!poolsRecycledAfterPublication) problems.push(`${s.name} did not recycle both pools after publication`);
      if (!summary.signIn) problems.push(`OWA/ECP sign-in fails on ${s.name}`);
      return summary;
    });

  if (report.outcome !== 'completed') problems.push(`the rotation ended ${report.outcome}`);
  if (report.hcw.status !== 'completed') problems.push(`the HCW step is ${report.hcw.status}, not completed`);

  return {
    outcome: report.outcome,
    organization,
    workflowId: report.workflowId,
    path: report.path,
    previousThumbprint: report.previousThumbprint,
    newThumbprint,
    publishedAt: publishedAt === null ? null : new Date(publishedAt).toISOString(),
    servers,
    hcw: { status: report.hcw.status, by: report.hcw.by ?? null },
    ok: problems.length === 0,
    problems,
  };
}
