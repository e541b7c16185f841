import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CmdletContext, PSDateTime, PSError, PSObject, PSValue } from '../../shell/types';
import { exchangeCmdlets } from '../../exchange/cmdlets';
import { createOrganization, CreateOptions, loadOrganization, withOrganization } from '../../exchange/organisation';
import { advanceClock } from '../../exchange/behaviour';
import { Organisation, Server } from '../../exchange/model';
import { at } from '../../invariant';

export const HOUR = 3_600_000;
/** A fixed simulated start, so expectations about the 12-hour cycle do not depend on when the test runs. */
export const START = Date.parse('2026-11-25T06:00:00.000Z');

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'exsim-'));
}

/**
 * An organisation on a frozen clock (acceleration 0 unless asked): time moves only when the test advances it. The cmdlets are
 * invoked through their CmdletSpec with arguments already bound, as the shell's binder hands them over.
 */
export class Org {
  readonly cmdlets: ReturnType<typeof exchangeCmdlets>;
  private constructor(readonly file: string) {
    this.cmdlets = exchangeCmdlets(file);
  }

  /** `acceleration` other than 0 lets the simulated clock run with real time, as in the demo. */
  static async create(scenario: string, acceleration = 0, options: CreateOptions = {}): Promise<Org> {
    const file = path.join(tempDir(), 'state.json');
    await createOrganization(scenario, file, { ...options, acceleration, start: START });
    return new Org(file);
  }

  /**
   * `calledAt` is the shell's clock when it called the cmdlet (by default read as the cmdlet starts). A test that
   * computes a date from the clock passes the same reading: on a running fast clock the real time between two readings
   * is minutes to hours of Exchange time.
   */
  async call(
    name: string,
    args: Record<string, PSValue> = {},
    computerName: string | null = null,
    calledAt?: number,
  ): Promise<PSValue[]> {
    const spec = this.cmdlets.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!spec) throw new Error(`no cmdlet ${name}`);
    for (const k of Object.keys(args)) {
      if (!spec.params.some((p) => p.name === k)) throw new Error(`${name} has no parameter ${k}`);
    }
    const ctx: CmdletContext = {
      computerName,
      now: () => new PSDateTime(calledAt ?? this.now(), 'Local'),
      invokeScriptBlock: () => Promise.reject(new Error('no script blocks here')),
      pipelineInput: [],
    };
    return spec.invoke(args, ctx);
  }

  /** The first object a call wrote; a call that writes nothing fails the test. */
  async first(
    name: string,
    args: Record<string, PSValue> = {},
    computerName: string | null = null,
    calledAt?: number,
  ): Promise<PSValue> {
    const [item] = await this.call(name, args, computerName, calledAt);
    if (item === undefined) throw new Error(`${name} wrote nothing`);
    return item;
  }

  /** The PSError a call fails with. */
  async fails(name: string, args: Record<string, PSValue> = {}, computerName: string | null = null): Promise<PSError> {
    try {
      await this.call(name, args, computerName);
    } catch (e) {
      if (e instanceof PSError) return e;
      throw e;
    }
    throw new Error(`${name} succeeded but was expected to fail`);
  }

  state(): Organisation {
    return loadOrganization(this.file).org;
  }

  /** Server `index` (in the organisation's order) as it is now. */
  server(index: number): Server {
    return at(this.state().servers, index, 'server');
  }

  now(): number {
    return loadOrganization(this.file).now;
  }

  async advance(ms: number): Promise<void> {
    await withOrganization(this.file, (org) => advanceClock(org, ms));
  }

  async mutate(fn: (org: Organisation) => void): Promise<void> {
    await withOrganization(this.file, fn);
  }

  hasCert(server: string, thumbprint: string): boolean {
    return this.state()
      .servers.find((s) => s.name === server)!
      .certificates.some((c) => c.thumbprint === thumbprint);
  }

  /** Creates an auth certificate on a server without touching SMTP, as the service does. */
  async newAuthCert(server = 'EX1'): Promise<string> {
    const [cert] = await this.call('New-ExchangeCertificate', {
      KeySize: 2048,
      PrivateKeyExportable: true,
      SubjectName: 'cn=Microsoft Exchange Server Auth Certificate',
      FriendlyName: 'Microsoft Exchange Server Auth Certificate',
      DomainName: [],
      Services: 'None',
      Server: server,
    });
    return (cert as PSObject).get('Thumbprint') as string;
  }

  async stage(thumbprint: string, effective: number): Promise<void> {
    await this.call('Set-AuthConfig', {
      NewCertificateThumbprint: thumbprint,
      NewCertificateEffectiveDate: new PSDateTime(effective, 'Local'),
      Force: true,
    });
  }

  events2014(server: string): string[] {
    return this.state()
      .servers.find((s) => s.name === server)!
      .events.filter((e) => e.id === 2014)
      .map((e) => e.message.slice(-41, -1));
  }
}

export function prop(v: PSValue, name: string): PSValue | undefined {
  return (v as PSObject).get(name);
}
