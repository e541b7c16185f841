// Every activity call's summary in the Temporal UI says what it does and to which servers, from the call alone.
import { createActivities } from '../../activities';
import type { ExchangeClient } from '../../activities/powershell';
import { activitySummary } from '../../workflows/rotation/activity-summary';

const server = (name: string) => ({ name, fqdn: `${name.toLowerCase()}.contoso.com`, site: 'Tokyo' });

test.each([
  ['inspectOrganization', undefined, 'inspect the organisation (AuthConfig, servers, certificates)'],
  ['listAuthCertificates', { server: server('EX1') }, 'list the Auth certificates on EX1'],
  [
    'recycleAuthAppPools',
    { servers: [server('EX1'), server('EX2')], alreadyRecycled: [] },
    'recycle the OWA and ECP pools on EX1, EX2',
  ],
  [
    'copyCertificate',
    { thumbprint: 'ABCDEF0123456789', source: server('EX1'), targets: [server('EX3')] },
    'copy the certificate ABCDEF01 from EX1 to EX3',
  ],
  [
    'checkReplication',
    { thumbprint: 'ABCDEF0123456789', servers: ['A', 'B', 'C', 'D', 'E', 'F'].map(server) },
    'look for the certificate ABCDEF01 on A, B, C, D and 2 more',
  ],
  ['recordTransportCertificates', [server('EX1')], 'record the internal transport certificates on EX1'],
  ['notify', { kind: 'action-required', subject: 'x' }, 'send a notification (action-required)'],
  ['somethingNew', {}, 'somethingNew'],
])('%s', (activity, arg, summary) => {
  expect(activitySummary(activity, arg)).toBe(summary);
});

test('every activity of the rotation has its own words, not its name', () => {
  const names = Object.keys(createActivities({ exchange: {} as ExchangeClient, clock: () => new Date() }));
  expect(names.length).toBeGreaterThan(10);
  for (const name of names) expect({ name, summary: activitySummary(name, {}) }).not.toEqual({ name, summary: name });
});
