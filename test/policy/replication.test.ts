// Replication's next step in a table: complete, wait (and copy where), move the date, or stop; and the copy's source
// and targets.
import {
  copySource,
  copyTargets,
  HOUR_MS,
  nextReplicationStep,
  type ReplicationInput,
  type ServerPresence,
} from '../../common/policy';
import { NOW } from './fixtures';

const at = (hours: number) => new Date(Date.parse(NOW) + hours * HOUR_MS).toISOString();
const present = (server: string, site = 'Tokyo'): ServerPresence => ({ server, site, state: 'present' });
const missing = (server: string, site = 'Tokyo'): ServerPresence => ({ server, site, state: 'missing' });

const planned: ReplicationInput = {
  servers: [present('EX1'), missing('EX2'), missing('EX3', 'Osaka')],
  serverNow: NOW,
  emergency: false,
  elapsedMs: 0,
  deadlineMs: Infinity,
  pollMs: HOUR_MS,
  crossSiteImportAfterMs: 6 * HOUR_MS,
  staging: { effectiveDate: at(49), stagedAt: NOW, dateMoves: 0, currentNotAfter: null },
};

test.each([
  ['every server has it', { servers: [present('EX1'), present('EX2')] }, 'complete', null],
  ['early: wait, copy nothing yet', {}, 'waiting', null],
  ['after crossSiteImportAfter: copy to the other site', { elapsedMs: 7 * HOUR_MS }, 'waiting', 'cross-site'],
  ['the last poll before the cut-off: copy everywhere', { serverNow: at(46.5) }, 'waiting', 'all-missing'],
  ['at the cut-off: the date moves, copied everywhere', { serverNow: at(47) }, 'move-date', 'all-missing'],
  [
    'at the cut-off after three moves: stop',
    { serverNow: at(47), staging: { ...planned.staging!, dateMoves: 3 } },
    'cutoff-reached',
    null,
  ],
  ['the person\u2019s deadline: stop', { elapsedMs: 10 * HOUR_MS, deadlineMs: 10 * HOUR_MS }, 'deadline-passed', null],
  ['emergency: copy everywhere at once', { emergency: true, deadlineMs: 2 * HOUR_MS }, 'waiting', 'all-missing'],
  [
    'emergency past its deadline: stop',
    { emergency: true, elapsedMs: 2 * HOUR_MS, deadlineMs: 2 * HOUR_MS },
    'deadline-passed',
    null,
  ],
] as Array<[string, Partial<ReplicationInput>, string, string | null]>)('%s → %s', (_, over, code, copy) => {
  const step = nextReplicationStep({ ...planned, ...over });
  expect({ code: step.code, copy: 'copy' in step ? step.copy : null }).toEqual({ code, copy });
});

test('a poll never overshoots the cut-off', () => {
  const step = nextReplicationStep({ ...planned, serverNow: at(46.5) });
  expect(step).toEqual({ code: 'waiting', pollServerMs: 0.5 * HOUR_MS, copy: 'all-missing' });
});

test('the moved date and the stop name the servers lacking it', () => {
  const moved = nextReplicationStep({ ...planned, serverNow: at(47) });
  expect(moved.code === 'move-date' && moved.to).toBe(at(73));
  expect(moved.code === 'move-date' && moved.finding.message).toMatch(/EX2 \(missing\), EX3 \(missing\)/);
});

test('copy source: the creating server when it has it, else any in scope that has it; targets by scope', () => {
  const inScope = [
    { name: 'EX1', fqdn: 'ex1', site: 'Tokyo' },
    { name: 'EX2', fqdn: 'ex2', site: 'Tokyo' },
    { name: 'EX3', fqdn: 'ex3', site: 'Osaka' },
  ];
  const servers = [present('EX1'), present('EX2'), missing('EX3', 'Osaka')];
  expect(copySource(servers, inScope, 'EX2')?.name).toBe('EX2');
  expect(copySource(servers, inScope, 'EX3')?.name).toBe('EX1');
  expect(copySource([missing('EX1')], inScope)).toBeUndefined();
  const lacking = [
    present('EX1'),
    missing('EX2'),
    missing('EX3', 'Osaka'),
    { server: 'EX4', site: 'Osaka', state: 'unreachable' as const },
  ];
  expect(copyTargets(lacking, { site: 'Tokyo' }, 'cross-site')).toEqual(['EX3']);
  expect(copyTargets(lacking, { site: 'Tokyo' }, 'all-missing')).toEqual(['EX2', 'EX3']);
});
