// How a change reaches rotations that are already running (they last days: the 49-hour date, then up to 14 days for
// the HCW answer). A change that alters the commands a rotation issues (an activity added, removed or reordered, a
// timer, a different argument) is guarded by one patch listed here, with why it exists and the committed history
// recorded BEFORE the change, which must keep replaying (test/histories). docs/versioning.md says when one is needed
// and how it is retired. Changes before 2026-12-08 were folded into the code: nothing had run in production then.
import { patched } from '@temporalio/workflow';

export interface PatchEntry {
  /** What changed, for whom, and why old runs must keep the old course. */
  reason: string;
  /** The date the patch was added (release notes; runs started before then may still be open until hcwTimeout). */
  since: string;
  /** test/histories/<fixture>.json: a rotation recorded by the code before the change. */
  fixture: string;
}

export const PATCHES: Record<string, PatchEntry> = {
  'resume-import-before-moving-date': {
    reason:
      'The resume path now imports a person-staged certificate where it is missing before moving its date, and tells ' +
      'people when the move fails: Set-AuthConfig failed on a server lacking it and the servicelet published at the ' +
      "person's date (explorer seed 972). Runs that moved a date without importing first keep that course.",
    since: '2026-12-08',
    fixture: 'resume-staged-date-close',
  },
  'stop-hands-hybrid-app-key': {
    reason:
      'A run that stops with its certificate staged (replication incomplete, a date that cannot move) now puts the ' +
      'key on the dedicated hybrid application, or asks a person to, before it ends: the servicelet published at the ' +
      'date while Exchange Online lacked the key and nobody was told (explorer seeds 1140, 1476). Runs that stopped ' +
      'without it keep that course.',
    since: '2026-12-08',
    fixture: 'dedicated-hybrid-app-stopped',
  },
  'emergency-key-before-staging': {
    reason:
      'The emergency path now puts the key on the dedicated hybrid application before it stages the certificate for ' +
      'now, not after replication: the servicelet published it while the worker was down and the application lacked ' +
      'the key (explorer seed 1476). Runs that staged first keep that course.',
    since: '2026-12-08',
    fixture: 'emergency-dedicated-hybrid-app',
  },
};

export type PatchId = keyof typeof PATCHES;

/** The one way workflow code asks for a patch: only IDs from the registry. */
export function isPatched(id: PatchId): boolean {
  if (!(id in PATCHES)) throw new Error(`internal: patch ${id} is not in workflows/rotation/patches.ts`);
  return patched(id);
}
