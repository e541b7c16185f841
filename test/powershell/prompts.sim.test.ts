// The service's session starts its shell with -NonInteractive, so a confirmation prompt is a clean error at once, not
// a session waiting on stdin: without the switch the prompt would read node-powershell's delimiter lines as answers and
// never finish. (How the simulated shell prompts with and without the switch is the simulator's own test.)
import { renderEnvelope } from '../../activities/powershell/catalogue';
import { parseEnvelope } from '../../activities/powershell/output';
import { ShellSession } from '../../activities/powershell/session';
import { launchFor, parseShellSettings } from '../../activities/powershell/settings';
import { createSimState } from './sim';

const NON_INTERACTIVE = 'PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.';
/** The default services (IMAP, POP, SMTP) without -Force: Exchange asks before replacing the default SMTP certificate. */
const ASKING =
  "New-ExchangeCertificate -KeySize 2048 -PrivateKeyExportable $true -SubjectName 'cn=Microsoft Exchange Server Auth Certificate' -FriendlyName 'Microsoft Exchange Server Auth Certificate' -DomainName @() -Server 'ex1.contoso.com'";

test('a prompt in the service session is a clean error, not a session waiting on stdin', async () => {
  const state = createSimState('healthy');
  const session = new ShellSession(
    launchFor(parseShellSettings({ simulatorState: state.file, commandTimeoutMs: 20_000 })),
  );
  try {
    const answer = parseEnvelope(await session.run(renderEnvelope(ASKING)), 'prompt');
    expect(answer).toMatchObject({ ok: false, error: { message: NON_INTERACTIVE } });
  } finally {
    await session.close();
    state.remove();
  }
});
