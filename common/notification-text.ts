// The words of the "finished" notification, from the report alone: how the run ended, the certificate before and
// after, who answered the HCW step (or that nobody did), and whether there is more to read. The rotation workflow
// sends it as its last notification; the webhook adds the link to the run (worker/webhook.ts). No Node built-ins.
import type { HcwRecord, RotationReport } from './rotation';

function hcwLine(hcw: HcwRecord): string | null {
  const when = hcw.at ? ` at ${hcw.at}` : '';
  switch (hcw.status) {
    case 'completed':
      return `Hybrid Configuration Wizard re-run, confirmed by ${hcw.by ?? 'someone'}${when}${hcw.note ? `: ${hcw.note}` : ''}.`;
    case 'skipped':
      return `Hybrid Configuration Wizard skipped by ${hcw.by ?? 'someone'}${when}${hcw.reason ? `: ${hcw.reason}` : ''}.`;
    case 'pending':
    case 'waiting':
      return 'Nobody confirmed the Hybrid Configuration Wizard re-run: re-run it, hybrid features need it.';
    case 'not-needed':
      return null;
  }
}

/** Subject (without the organisation, which the workflow puts first) and text of the "finished" notification. */
export function finishedNotification(report: RotationReport): { subject: string; text: string } {
  const lines: string[] = [];
  if (report.stopReason) lines.push(report.stopReason);
  if (report.newThumbprint && (report.outcome === 'completed' || report.outcome === 'hcw-pending')) {
    lines.push(
      `The Auth certificate is now ${report.newThumbprint}${report.previousThumbprint ? ` (was ${report.previousThumbprint})` : ''}.`,
    );
  } else if (report.newThumbprint) {
    lines.push(`New certificate: ${report.newThumbprint}.`);
  }
  const hcw = hcwLine(report.hcw);
  if (hcw) lines.push(hcw);
  if (report.warnings.length > 0) {
    lines.push(`${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}: ${report.warnings[0]}`);
  }
  if (lines.length === 0) lines.push(report.outcome);
  return { subject: `Auth certificate rotation ${report.outcome}`, text: lines.join('\n') };
}
