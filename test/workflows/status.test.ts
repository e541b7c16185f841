// How a rotation shows itself: the status query's shape and the Temporal UI's details, from a state.
import { HCW_COMPLETED_EXAMPLE, HCW_SKIPPED_EXAMPLE } from '../../workflows/messages';
import { initialState } from '../../workflows/rotation/state';
import { detailsOf, hcwInstructions, markdownText, statusOf, summaryOf } from '../../workflows/rotation/status';

function state() {
  const s = initialState('contoso', 'rotate-auth-cert.contoso', '2026-11-25T06:00:00.000Z');
  s.phase = 'replicating';
  s.report.path = 'rotate';
  s.report.newThumbprint = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
  s.report.effectiveDate = '2026-11-27T07:00:00.000Z';
  s.nextCheckAt = '2026-11-25T06:10:00.000Z';
  s.report.servers = [
    {
      name: 'EX1',
      fqdn: 'ex1',
      site: 'Tokyo',
      hasNewCertificate: true,
      event2014: false,
      poolsRecycledAfterPublication: false,
    },
    {
      name: 'EX2',
      fqdn: 'ex2',
      site: 'Osaka',
      hasNewCertificate: false,
      event2014: false,
      poolsRecycledAfterPublication: false,
    },
    {
      name: 'EX3',
      fqdn: 'ex3',
      site: 'Osaka',
      hasNewCertificate: false,
      event2014: false,
      poolsRecycledAfterPublication: false,
      unreachable: 'RPC',
      ignored: true,
    },
  ];
  return s;
}

test('the summary counts only the servers in scope', () => {
  expect(summaryOf(state())).toBe(
    'contoso: replicating · path rotate · new ABCDEF01… · certificate on 1/2 · event 2014 on 0/2 · pools recycled on 0/2',
  );
});

test('status: per-server progress, next check, no action required yet', () => {
  const status = statusOf(state());
  expect(status).toMatchObject({
    organization: 'contoso',
    workflowId: 'rotate-auth-cert.contoso',
    phase: 'replicating',
    nextCheckAt: '2026-11-25T06:10:00.000Z',
    actionRequired: null,
    effectiveDate: '2026-11-27T07:00:00.000Z',
  });
  expect(status.servers[2]).toEqual({
    name: 'EX3',
    site: 'Osaka',
    hasNewCertificate: false,
    event2014: false,
    poolsRecycled: false,
    unreachable: 'RPC',
    ignored: true,
  });
});

test('status: a server the run acts on carries no ignored mark, unreachable or not', () => {
  const s = state();
  s.report.servers[1]!.unreachable = 'WinRM';
  const [ex1, ex2] = statusOf(s).servers;
  expect(ex1).not.toHaveProperty('ignored');
  expect(ex2).toMatchObject({ unreachable: 'WinRM' });
  expect(ex2).not.toHaveProperty('ignored');
});

test('details show each server as the status does: the same marks, the same counts', () => {
  const s = state();
  s.report.servers[1]!.unreachable = 'WinRM';
  const status = statusOf(s);
  const details = detailsOf(s);
  expect(details.split('\n')[0]).toBe(`**${markdownText(status.summary)}**`);
  expect(details).toContain('| EX2 (unreachable) | Osaka | no | no | no |');
  expect(details).toContain('| EX3 (unreachable, ignored) | Osaka | no | no | no |');
  expect(status.servers.map((x) => [x.name, x.ignored ?? false])).toEqual([
    ['EX1', false],
    ['EX2', false],
    ['EX3', true],
  ]);
});

test('status is a copy: a caller cannot change the workflow state through it', () => {
  const s = state();
  const status = statusOf(s);
  status.warnings.push('x');
  status.hcw.status = 'completed';
  expect(s.report.warnings).toEqual([]);
  expect(s.report.hcw.status).toBe('not-needed');
});

test('details: the action a person must take comes first, then dates and a server table', () => {
  const s = state();
  s.actionRequired = hcwInstructions(s.report.workflowId, 'contoso');
  const details = detailsOf(s).split('\n');
  expect(details[0]).toMatch(/^\*\*contoso: replicating/);
  expect(details[2]).toMatch(
    /^\*\*Action required:\*\* Re-run the Hybrid Configuration Wizard.*rotate-auth-cert\.contoso/,
  );
  expect(details).toContain('| EX3 (unreachable, ignored) | Osaka | no | no | no |');
  expect(details).toContain('Next check: 2026-11-25T06:10:00.000Z');
});

test.each([
  ['send {"by": "<your name>"} <now>', 'send `{"by": "<your name>"}` \\<now\\>'],
  ['a {x|y} cell', 'a {x\\|y} cell'],
  ['a & b', 'a & b'],
  ['EX|1', 'EX\\|1'],
  ['*bold* _it_ `code` [link]', '\\*bold\\* \\_it\\_ \\`code\\` \\[link\\]'],
  ['C:\\path', 'C:\\\\path'],
  ['plain text: 2026-11-25T06:10:00.000Z', 'plain text: 2026-11-25T06:10:00.000Z'],
])('markdownText(%j) is %j', (text, escaped) => {
  expect(markdownText(text)).toBe(escaped);
});

test('details: the HCW placeholder survives the HTML sanitiser of the UI, a warning cannot break the table', () => {
  const s = state();
  s.actionRequired = hcwInstructions(s.report.workflowId, 'contoso');
  s.report.warnings.push('restarting <svc> | failed');
  const details = detailsOf(s);
  expect(details).toContain('`{"by": "<your name>", "note": "..."}`');
  expect(details).toContain('- restarting \\<svc\\> \\| failed');
});

test('the HCW instructions show each signal with the one example of its argument', () => {
  const text = hcwInstructions('rotate-auth-cert.contoso', 'contoso');
  expect(text).toContain(`hcwCompletedSignal ${HCW_COMPLETED_EXAMPLE} to workflow rotate-auth-cert.contoso`);
  expect(text).toContain(`hcwSkippedSignal ${HCW_SKIPPED_EXAMPLE}`);
  // Each example is valid JSON a person can paste, with the placeholders still to fill in.
  expect(JSON.parse(HCW_COMPLETED_EXAMPLE)).toEqual({ by: '<your name>', note: '...' });
  expect(JSON.parse(HCW_SKIPPED_EXAMPLE)).toEqual({ by: '<your name>', reason: '...' });
});
