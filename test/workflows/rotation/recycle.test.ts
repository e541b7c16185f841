// Recycle the pools (workflows/rotation/recycle.ts): after a crash no server twice; one that does not verify.
import { ApplicationFailure } from '@temporalio/common';
import { StubOrganisation } from '../stub-activities';
import { scenario, run, firstAttemptFails, org, useRotationEnv } from './fixture';

useRotationEnv();

test('a crash right after recycling the pools: the retry asks from the publication on and recycles no server twice', async () => {
  const stub = new StubOrganisation(scenario());
  const crash = ApplicationFailure.create({ type: 'WorkerCrashed', message: 'lost' });
  const { activities, counter } = firstAttemptFails(stub, 'recycleAuthAppPools', crash, 'after');
  const { report } = await run(stub, { organization: org() }, { activities });
  expect(counter.attempts).toBe(2);
  expect(report.outcome).toBe('completed');
  expect(stub.recycles).toEqual(['EX1', 'EX2', 'EX3']);
  const requests = stub.calls.filter((c) => c.name === 'recycleAuthAppPools').map((c) => c.args);
  expect(requests).toEqual([
    { servers: expect.any(Array), alreadyRecycled: [], notBefore: report.publishedAt },
    { servers: expect.any(Array), alreadyRecycled: [], notBefore: report.publishedAt },
  ]);
  expect(report.servers.every((s) => s.poolsRecycledAfterPublication)).toBe(true);
  expect(report.reasons.filter((r) => /not recycled again/.test(r))).toEqual(
    ['EX1', 'EX2', 'EX3'].flatMap((server) =>
      ['MSExchangeOWAAppPool', 'MSExchangeECPAppPool'].map((pool) =>
        expect.stringMatching(
          new RegExp(`^${pool} on ${server} had started a worker process at \\S+, after ${report.publishedAt}: not`),
        ),
      ),
    ),
  );
});

test('a recycle that does not verify is tried again on that server only, then reported', async () => {
  const stub = new StubOrganisation(scenario());
  const stubbed = stub.activities();
  const requests: Array<{ alreadyRecycled: string[] }> = [];
  const { report } = await run(
    stub,
    { organization: org() },
    {
      activities: {
        recycleAuthAppPools: async (request) => {
          requests.push({ alreadyRecycled: [...request.alreadyRecycled] });
          const results = await stubbed.recycleAuthAppPools(request);
          return results.map((r) =>
            r.server === 'EX2'
              ? { ...r, verified: false, detail: 'MSExchangeOWAAppPool is Stopped after the recycle' }
              : r,
          );
        },
      },
    },
  );
  expect(report.outcome).toBe('completed');
  expect(requests).toEqual([
    { alreadyRecycled: [] },
    { alreadyRecycled: ['EX1', 'EX3'] },
    { alreadyRecycled: ['EX1', 'EX3'] },
  ]);
  expect(report.servers.map((s) => [s.name, s.poolsRecycledAfterPublication])).toEqual([
    ['EX1', true],
    ['EX2', false],
    ['EX3', true],
  ]);
  expect(report.warnings.join('\n')).toMatch(
    /recycling the OWA\/ECP pools on EX2 did not verify: MSExchangeOWAAppPool is Stopped/,
  );
});
