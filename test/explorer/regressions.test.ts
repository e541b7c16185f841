// The named regressions (regressions.ts): each reproduction of issue 8, and each failure found since, keeps every
// invariant. Until the fixes of issue 8 land, the reproductions fail here, as they should.
import { REGRESSIONS } from './regressions';
import { runSeeds } from './seeded';

test.each(REGRESSIONS.map((r) => [r.name, r.why] as const))(
  '%s keeps every invariant',
  async (name, why) => {
    const { report } = await runSeeds([name]);
    expect({ why, report }).toEqual({ why, report: '' });
  },
  900_000,
);
