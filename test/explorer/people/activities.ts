// What the people workflow does outside itself: send the rotation a signal, as a person with the CLI would.
import type { Client } from '@temporalio/client';

export function createPeopleActivities(client: Client) {
  return {
    /** False when the rotation has finished: the answer came too late to be heard. */
    async signalRotation(workflowId: string, signal: string, payload: unknown): Promise<boolean> {
      try {
        await client.workflow.getHandle(workflowId).signal(signal, payload);
        return true;
      } catch {
        return false;
      }
    },
  };
}

export type PeopleActivities = ReturnType<typeof createPeopleActivities>;
