// Confirmation prompts and -NonInteractive: without the switch a prompt reads its answer from stdin, as powershell.exe
// does, taking whatever line comes next; with it the prompt fails at once. The service must start its shells with it
// (the service's own tests check that it does).
import { HOUR, isoDate, NEW_AUTH_CERT, runProcess, SHELL, Simulation, START } from './shell';
import { at } from '../../invariant';

const NON_INTERACTIVE = 'PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.';
const OVERWRITE = 'Overwrite the existing default SMTP certificate?';
const CHOICES = '[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [?] Help (default is "Y"): ';
/** Creation with the default services (IMAP, POP, SMTP) and without -Force: Exchange asks before replacing SMTP. */
const ASKING = `${NEW_AUTH_CERT('ex1.contoso.com', '')} | Out-Null; 'created'`;

const shellWith = (file: string, args: string[], lines: string[]) =>
  runProcess(SHELL, [...args, '-Command', '-'], lines.map((l) => `${l}\n`).join(''), {
    ...process.env,
    EXCHANGE_SIM_STATE: file,
  });

describe('a shell started without -NonInteractive', () => {
  let s: Simulation;
  beforeEach(async () => {
    s = await Simulation.create('healthy');
  });
  afterEach(() => s.close());

  it('reads the answer from the next lines of stdin: a command sent meanwhile is swallowed as a wrong answer', async () => {
    const transport = at(s.state().servers, 0, 'server').internalTransportCertificate;
    const before = at(s.state().servers, 0, 'server').certificates.length;
    const r = await shellWith(s.file, ['-NoProfile'], [ASKING, "'swallowed'", 'N', "'after'"]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(OVERWRITE);
    // Asked once, asked again after the wrong answer, then answered.
    expect(r.stdout.split(CHOICES)).toHaveLength(3);
    expect(r.stdout).not.toMatch(/^swallowed$/m);
    expect(r.stdout).toMatch(/created\nafter\n$/);
    // No: the certificate is made, the default SMTP certificate stays.
    expect(at(s.state().servers, 0, 'server').certificates).toHaveLength(before + 1);
    expect(at(s.state().servers, 0, 'server').internalTransportCertificate).toBe(transport);
  });

  it('an empty answer takes the default, yes: the new certificate becomes the default SMTP certificate', async () => {
    const r = await shellWith(s.file, ['-NoProfile'], [ASKING, '']);
    expect(r.stdout).toMatch(/created\n$/);
    const ex1 = at(s.state().servers, 0, 'server');
    expect(ex1.internalTransportCertificate).toBe(ex1.certificates.at(-1)!.thumbprint);
  });

  it('declining the 48-hour warning of Set-AuthConfig changes nothing', async () => {
    const current = s.state().authConfig.currentCertificateThumbprint!;
    const stage = `Set-AuthConfig -NewCertificateThumbprint '${current}' -NewCertificateEffectiveDate ${isoDate(START + HOUR)}; 'done'`;
    const r = await shellWith(s.file, ['-NoProfile'], [stage, 'n']);
    expect(r.stdout).toContain('The effective date is less than 48 hours from now.');
    expect(r.stdout).toMatch(/done\n$/);
    expect(s.state().authConfig.nextCertificateThumbprint).toBeNull();
  });

  it('an answer that never comes (stdin ends) fails the prompt', async () => {
    const r = await shellWith(s.file, ['-NoProfile'], [ASKING]);
    expect(r.stderr).toContain('The prompt received no answer: standard input ended.');
  });
});

describe('a shell started with -NonInteractive', () => {
  it('fails the prompt at once and runs the next line as a command', async () => {
    const s = await Simulation.create('healthy');
    try {
      const before = at(s.state().servers, 0, 'server').certificates.length;
      const r = await shellWith(s.file, ['-NoProfile', '-NonInteractive'], [ASKING, "'next'"]);
      expect(r.stderr).toContain(NON_INTERACTIVE);
      expect(r.stdout).not.toContain(OVERWRITE);
      expect(r.stdout).toBe('next\n');
      expect(at(s.state().servers, 0, 'server').certificates).toHaveLength(before);
    } finally {
      await s.close();
    }
  });
});
