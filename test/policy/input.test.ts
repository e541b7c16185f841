// The workflow input as the Temporal UI's JSON box sends it, and the failure-type names the workflow's retry policies
// list (they must match the PowerShell layer's error classes).
import { EXCHANGE_NON_RETRYABLE_ERROR_TYPES } from '../../common/failures';
import { parseRotationInput, rotationPlacementIssues } from '../../common/rotation';
import { NON_RETRYABLE_ERROR_TYPES } from '../../activities/powershell/errors';

describe('rotation input', () => {
  test('{"organization": "contoso"} is complete: everything else has a default', () => {
    const parsed = parseRotationInput({ organization: 'contoso' });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.input).toMatchObject({
      organization: 'contoso',
      dryRun: false,
      force: false,
      ignoreUnreachableServers: false,
      effectiveDateHours: 49,
      acknowledgeShortEffectiveDate: false,
      renewBeforeDays: 60,
      restartServiceHostAfterEffectiveDate: false,
      hcwReminderInterval: 24 * 3_600_000,
      replicationPollInterval: 10 * 60_000,
      notifications: { actionRequired: true, reminders: true, finished: true },
    });
    expect(parsed.input.probeMailbox).toBeUndefined();
  });

  test('durations accept ms strings and milliseconds', () => {
    const parsed = parseRotationInput({ organization: 'c', hcwTimeout: '2 days', publicationMargin: 90_000 });
    expect(parsed.ok && parsed.input.hcwTimeout).toBe(2 * 24 * 3_600_000);
    expect(parsed.ok && parsed.input.publicationMargin).toBe(90_000);
  });

  test('replicationDeadline: absent, the effective date governs; given, it is kept, even past the date (it can move)', () => {
    const absent = parseRotationInput({
      organization: 'c',
      effectiveDateHours: 24,
      acknowledgeShortEffectiveDate: true,
    });
    expect(absent.ok && absent.input.replicationDeadline).toBeUndefined();
    const given = parseRotationInput({ organization: 'c', replicationDeadline: '60h' });
    expect(given.ok && given.input.replicationDeadline).toBe(60 * 3_600_000);
  });

  test('effectiveDateHours: 1 to 720 hours; a typo such as 20000 is refused, never read as "publish now"', () => {
    expect(parseRotationInput({ organization: 'c', effectiveDateHours: 720 }).ok).toBe(true);
    const typo = parseRotationInput({ organization: 'c', effectiveDateHours: 20000 });
    expect(!typo.ok && typo.message).toBe(
      "input.effectiveDateHours: must be at most 720 hours (30 days, as far ahead as Microsoft's own script stages)",
    );
  });

  test('under 48 hours with the acknowledgement is accepted', () => {
    const parsed = parseRotationInput({
      organization: 'c',
      effectiveDateHours: 1,
      acknowledgeShortEffectiveDate: true,
    });
    expect(parsed.ok && parsed.input.effectiveDateHours).toBe(1);
  });

  test.each([
    [
      { organization: 'c', effectiveDateHours: 47.5 },
      'input.effectiveDateHours: must be at least 48 unless acknowledgeShortEffectiveDate is true',
    ],
    [
      { organization: 'c', effectiveDateHours: -1, acknowledgeShortEffectiveDate: true },
      'input.effectiveDateHours: must be at least 1 hour: every server needs time to receive it',
    ],
    [
      { organization: 'c', effectiveDateHours: 0.0001, acknowledgeShortEffectiveDate: true },
      'input.effectiveDateHours: must be at least 1 hour',
    ],
    [{ organization: 'c', effectiveDateHours: '49' }, 'input.effectiveDateHours: must be a number of hours'],
    [{ organization: 'c', hcwTimeout: '0s' }, 'input.hcwTimeout: must be a positive duration'],
    [{ organization: 'c', replicationDeadline: 'soon' }, 'input.replicationDeadline: must be a positive duration'],
    [{ organization: 'c', notifications: { webhook: true } }, 'input.notifications: Unrecognized key'],
    [{ organization: '-bad' }, 'input.organization: must be 1-63 letters'],
    [{ organization: 'c', probeMailbox: '' }, 'input.probeMailbox:'],
    [null, 'input: must be a JSON object'],
    [[{ organization: 'c' }], 'input: must be a JSON object'],
  ])('%j is refused: %s', (raw, message) => {
    const parsed = parseRotationInput(raw);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });

  test('every problem is named, one per line', () => {
    const parsed = parseRotationInput({ organization: 'c', effectiveDateHours: 2, renewBeforeDays: 0 });
    expect(!parsed.ok && parsed.message.split('\n')).toHaveLength(2);
  });
});

describe('rotation placement', () => {
  test("the organisation's own ID and task queue: no issue", () => {
    expect(
      rotationPlacementIssues('Contoso', {
        workflowId: 'rotate-auth-cert.contoso',
        taskQueue: 'exchange-auth-cert.contoso',
      }),
    ).toEqual([]);
  });

  test('another ID and another queue: one line each, naming the field, the expected value and the rule', () => {
    expect(
      rotationPlacementIssues('contoso', { workflowId: 'my-rotation', taskQueue: 'exchange-auth-cert.fabrikam' }),
    ).toEqual([
      'workflowId: must be "rotate-auth-cert.contoso" for organization "contoso", not "my-rotation": the ID is ' +
        'derived from the organisation so that only one rotation of it runs at a time',
      'taskQueue: must be "exchange-auth-cert.contoso" for organization "contoso", not ' +
        '"exchange-auth-cert.fabrikam": only the worker of that organisation may act on its Exchange',
    ]);
  });
});

test('the workflow names the same permanent Exchange failures as the PowerShell layer', () => {
  expect([...EXCHANGE_NON_RETRYABLE_ERROR_TYPES].sort()).toEqual([...NON_RETRYABLE_ERROR_TYPES].sort());
});
