#!/usr/bin/env node
// `npm run sim -- <command>`: create a simulated organisation, look at it, move its clock, inject faults.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { advanceClock, setAcceleration } from './exchange/behaviour';
import { clearFaults, injectFault } from './exchange/faults';
import { DiePoint, Event2014On, EVENT_2014_ON, Fault, FAULT_KINDS, FaultKind } from './exchange/model';
import {
  createOrganization,
  loadOrganization,
  OrganizationSummary,
  summarizeOrganization,
  withOrganization,
} from './exchange/organisation';
import {
  DEFAULT_WEB_SITE_CERTIFICATES,
  DefaultWebSiteCertificate,
  SCENARIOS,
  SCENARIO_NAMES,
  UnknownScenarioError,
} from './exchange/scenarios';
import { Configuration } from './exchange/configure';
import { configureOrganization } from './exchange/organisation';
import { STATE_ENV } from './exchange/host';
import { EXCHANGE_CMDLET_NAMES } from './exchange/cmdlets';
import { at, defined } from './invariant';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "12h", "90m", "1d12h", "2.5h": a positive duration in milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed)) {
    throw new InvalidArgumentError(
      `"${text}" is not a duration: use a number with a unit, e.g. 90s, 30m, 12h, 2d, 1d12h`,
    );
  }
  let total = 0;
  for (const m of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(m[1]) * defined(UNITS[defined(m[2], 'duration unit')], `unit ${m[2]}`);
  }
  if (total <= 0) throw new InvalidArgumentError(`"${text}" must be longer than zero`);
  return Math.round(total);
}

const accelerationSchema = z.coerce
  .number({ error: 'must be a number' })
  .min(0, 'must be 0 (frozen) or more')
  .max(1e7, 'must be at most 10000000');
function parseAcceleration(text: string): number {
  const r = accelerationSchema.safeParse(text);
  if (!r.success || text.trim() === '') {
    throw new InvalidArgumentError(
      `"${text}" ${r.success ? 'must be a number' : at(r.error.issues, 0, 'issue').message}`,
    );
  }
  return r.data;
}

function parseProbability(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`"${text}" must be a probability between 0 and 1`);
  }
  return n;
}

function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${text}" must be a whole number of at least 1`);
  return n;
}

function parseScenario(text: string): string {
  if (!(SCENARIO_NAMES as string[]).includes(text))
    throw new InvalidArgumentError(new UnknownScenarioError(text).message);
  return text;
}

/** One of `values`, or a usage error listing them. */
function oneOf<T extends string>(values: readonly T[]): (text: string) => T {
  return (text) => {
    const hit = values.find((v) => v === text.trim().toLowerCase());
    if (!hit) throw new InvalidArgumentError(`"${text}" must be one of ${values.join(', ')}`);
    return hit;
  };
}

const ON_OFF = ['on', 'off'] as const;
const LISTED_ABSENT = ['listed', 'absent'] as const;

/** "EX1,EX2" or "all": server names, checked against the organisation when applied. */
function parseServerList(text: string): string[] {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (!names.length) throw new InvalidArgumentError(`"${text}" must name servers, e.g. EX1,EX2 or all`);
  return names;
}

/** The behaviour switches `create` and `configure` share (`exchange/configure.ts`). */
interface BehaviourOptions {
  event2014On?: Event2014On;
  readSession?: (typeof LISTED_ABSENT)[number];
  serializationSigning?: (typeof ON_OFF)[number];
  blockRemoteEventLog?: string[];
  openRemoteEventLog?: string[];
}

function behaviourOptions(cmd: Command, { canOpen }: { canOpen: boolean }): Command {
  cmd
    .option(
      '--event-2014-on <which>',
      `which servers write event 2014 when the current certificate changes: every-server (each servicelet at its next run) or publishing-server (only the one whose run published it)`,
      oneOf(EVENT_2014_ON),
    )
    .option(
      '--read-session <listed|absent>',
      'whether Get-OrganizationConfig lists EnableAuthAdminReadSession at all (it is not a documented property)',
      oneOf(LISTED_ABSENT),
    )
    .option(
      '--serialization-signing <on|off>',
      'serialized data signing: on, certificate objects come back as RawData only while the current Auth certificate is expired',
      oneOf(ON_OFF),
    )
    .option(
      '--block-remote-event-log <servers>',
      'servers (EX1,EX2 or all) whose firewall refuses remote event-log RPC (Get-WinEvent -ComputerName) while WinRM works',
      parseServerList,
    );
  if (canOpen) {
    cmd.option(
      '--open-remote-event-log <servers>',
      'servers whose remote event-log RPC answers again',
      parseServerList,
    );
  }
  return cmd;
}

function configurationOf(o: BehaviourOptions): Configuration {
  return {
    ...(o.event2014On ? { event2014On: o.event2014On } : {}),
    ...(o.readSession ? { readSessionListed: o.readSession === 'listed' } : {}),
    ...(o.serializationSigning ? { serializedDataSigning: o.serializationSigning === 'on' } : {}),
    ...(o.blockRemoteEventLog ? { remoteEventLogBlocked: o.blockRemoteEventLog } : {}),
    ...(o.openRemoteEventLog ? { remoteEventLogOpen: o.openRemoteEventLog } : {}),
  };
}

function parseFaultKind(text: string): FaultKind {
  if (!(FAULT_KINDS as readonly string[]).includes(text)) {
    throw new InvalidArgumentError(`unknown fault "${text}": valid faults are ${FAULT_KINDS.join(', ')}`);
  }
  return text as FaultKind;
}

const FAULT_FLAGS = {
  cmdlet: '--cmdlet',
  probability: '--probability',
  count: '--count',
  after: '--after',
  duringWrite: '--during-write',
} as const;

type FaultOptions = { cmdlet?: string; probability?: number; count?: number; after?: boolean; duringWrite?: boolean };

/** The options of `fault inject` as a fault: flags that cannot apply to the kind are refused, not ignored. */
const faultRequestSchema = z
  .object({
    kind: z.enum(FAULT_KINDS),
    cmdlet: z
      .string()
      .transform((name) => EXCHANGE_CMDLET_NAMES.find((c) => c.toLowerCase() === name.trim().toLowerCase()) ?? name)
      .refine((name) => EXCHANGE_CMDLET_NAMES.includes(name), {
        error: (issue) =>
          `"${String(issue.input)}" must name one of the simulator's cmdlets (a fault on any other could never fire): ${EXCHANGE_CMDLET_NAMES.join(', ')}`,
      })
      .optional(),
    probability: z.number().min(0).max(1).optional(),
    count: z.number().int().min(1).optional(),
    after: z.boolean().optional(),
    duringWrite: z.boolean().optional(),
  })
  .superRefine((o, ctx) => {
    const refuse = (flag: keyof typeof FAULT_FLAGS, message: string) =>
      ctx.addIssue({ code: 'custom', path: [flag], message });
    if (o.probability !== undefined && o.kind !== 'rpc') refuse('probability', 'applies to the rpc fault only');
    if (o.after && o.kind !== 'die') refuse('after', 'applies to the die fault only');
    if (o.duringWrite && o.kind !== 'die') refuse('duringWrite', 'applies to the die fault only');
    if (o.after && o.duringWrite) refuse('after', 'and --during-write are two different points: pick one');
    if (o.kind === 'hang' && !o.cmdlet) refuse('cmdlet', 'is required for hang: the cmdlet that never answers');
  })
  .transform((o): Fault => {
    const base = { ...(o.cmdlet ? { cmdlet: o.cmdlet } : {}), ...(o.count ? { remaining: o.count } : {}) };
    switch (o.kind) {
      case 'rpc':
        return { kind: o.kind, probability: o.probability ?? 1, ...base };
      case 'hang':
        return { kind: o.kind, ...base, cmdlet: o.cmdlet! };
      case 'die': {
        const point: DiePoint | undefined = o.after ? 'after' : o.duringWrite ? 'during-write' : undefined;
        return { kind: o.kind, ...base, ...(point ? { point } : {}) };
      }
      case 'access-denied':
        return { kind: o.kind, ...base };
    }
  });

export function parseFaultRequest(kind: FaultKind, opts: FaultOptions): Fault {
  const r = faultRequestSchema.safeParse({ ...opts, kind });
  if (r.success) return r.data;
  const issue = at(r.error.issues, 0, 'issue');
  const key = issue.path[0] as keyof typeof FAULT_FLAGS | undefined;
  throw new InvalidArgumentError(`${key ? `${FAULT_FLAGS[key]} ` : ''}${issue.message}`);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function table(rows: string[][]): string {
  const widths = at(rows, 0, 'header row').map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, at(widths, i, 'width')))).join('  '))
    .join('\n');
}

function cachedRole(cached: string | null, a: OrganizationSummary['authConfig']): string {
  if (!cached) return '';
  if (cached === a.current) return ' (current)';
  if (cached === a.previous) return ' (previous)';
  return ' (NOT current)';
}

export function renderSummary(s: OrganizationSummary): string {
  const out: string[] = [];
  out.push(`Scenario ${s.scenario}   simulated now ${s.now}   acceleration x${s.acceleration}`);
  out.push(
    `Hybrid: ${s.hybrid ? 'yes' : 'no'}   servers in child domain: ${s.serversInChildDomain ? 'yes' : 'no'}   EnableAuthAdminReadSession: ${s.enableAuthAdminReadSession}`,
  );
  out.push(
    `Event 2014 on: ${s.event2014On}   EnableAuthAdminReadSession in Get-OrganizationConfig: ${s.readSessionListed ? 'listed' : 'absent'}   ` +
      `serialized data signing: ${s.serializedDataSigning ? 'on' : 'off'}${s.serializationBroken ? ' (BROKEN: certificates come back as RawData only)' : ''}`,
  );
  out.push('');
  out.push('AuthConfig');
  out.push(`  current   ${s.authConfig.current ?? '-'}`);
  out.push(
    `  next      ${s.authConfig.next ?? '-'}${s.authConfig.nextEffectiveDate ? `  effective ${s.authConfig.nextEffectiveDate}` : ''}`,
  );
  out.push(`  previous  ${s.authConfig.previous ?? '-'}`);
  out.push('');
  out.push(
    table([
      [
        'SERVER',
        'SITE',
        'VERSION',
        'ROLES',
        'REACHABLE',
        'EVENT LOG RPC',
        'SIGN-IN',
        'SERVICEHOST STARTED',
        'AUTHADMIN LAST RUN',
      ],
      ...s.servers.map((v) => [
        v.name,
        v.site,
        v.version,
        v.roles.join(','),
        v.reachable ? 'yes' : 'NO',
        v.remoteEventLogBlocked ? 'BLOCKED' : 'open',
        v.signIn.status === 'broken' ? 'BROKEN' : v.signIn.status,
        v.serviceHostLastStart,
        v.authAdminLastRun ?? '-',
      ]),
    ]),
  );
  // Broken servers first: they need action, stale ones only a recycle.
  const notOk = s.servers
    .filter((v) => v.signIn.status !== 'ok')
    .sort((x, y) => Number(x.signIn.works) - Number(y.signIn.works));
  if (notOk.length) {
    out.push('');
    for (const v of notOk.slice(0, 20)) out.push(`  ${v.name}: ${v.signIn.reason}`);
    if (notOk.length > 20) out.push(`  ... and ${notOk.length - 20} more`);
  }
  out.push('');
  out.push('Certificates');
  const certRows = [['SERVER', 'THUMBPRINT', 'NOT AFTER', 'SERVICES', 'ROLE', 'SUBJECT']];
  for (const v of s.servers) {
    for (const c of v.certificates) {
      certRows.push([
        v.name,
        c.thumbprint,
        c.notAfter.slice(0, 19) + (c.expired ? ' EXPIRED' : ''),
        c.services,
        c.roles.join(',') || '-',
        c.subject,
      ]);
    }
  }
  out.push(table(certRows));
  out.push('');
  out.push('Application pools');
  const poolRows = [['SERVER', 'POOL', 'STATE', 'LAST RECYCLE', 'CACHED CERTIFICATE']];
  for (const v of s.servers) {
    for (const p of v.pools) {
      const role = cachedRole(p.cachedCertificate, s.authConfig);
      poolRows.push([v.name, p.name, p.state, p.lastRecycle, `${p.cachedCertificate ?? '-'}${role}`]);
    }
  }
  out.push(table(poolRows));
  out.push('');
  out.push('Recent events');
  const eventRows = [['SERVER', 'TIME', 'ID', 'SOURCE', 'MESSAGE']];
  for (const v of s.servers)
    for (const e of v.recentEvents) eventRows.push([v.name, e.time, String(e.id), e.providerName, e.message]);
  out.push(eventRows.length > 1 ? table(eventRows) : '  (none)');
  if (s.faults.length) {
    out.push('');
    out.push('Faults');
    for (const f of s.faults) out.push(`  ${JSON.stringify(f)}`);
  }
  return out.join('\n');
}

function stateOption(cmd: Command): Command {
  return cmd.option('--state <file>', `state file (default: $${STATE_ENV})`);
}

function stateFile(opts: { state?: string }): string {
  const file = opts.state ?? process.env[STATE_ENV];
  if (!file) throw new Error(`no state file: pass --state <file> or set ${STATE_ENV}`);
  return file;
}

export function buildProgram(): Command {
  const program = new Command('sim')
    .description('The simulated Exchange organisation behind bin/simulated-exchange-shell')
    .showHelpAfterError(false)
    .exitOverride()
    .addHelpText(
      'after',
      '\nBehaviours (sim create ... or, later, sim configure ...; details in their --help):\n' +
        '  --event-2014-on every-server|publishing-server  which servers write event 2014\n' +
        '  --read-session listed|absent                    EnableAuthAdminReadSession in Get-OrganizationConfig\n' +
        '  --serialization-signing on|off                  RawData-only certificates while the Auth certificate is expired\n' +
        '  --block-remote-event-log EX1,EX2|all            Get-WinEvent -ComputerName refused, WinRM works\n' +
        '  --default-web-site self-signed|third-party      (create only) the certificate IIS serves on the front end\n' +
        'Scenarios: sim create --help',
    );

  stateOption(
    behaviourOptions(
      program
        .command('create')
        .description('create an organisation from a scenario')
        // After the options, where Commander does not re-wrap it into ragged lines.
        .addHelpText(
          'after',
          `\nScenarios:\n${Object.entries(SCENARIOS)
            .map(([k, v]) => `  ${pad(k, Math.max(...SCENARIO_NAMES.map((n) => n.length)))}  ${v}`)
            .join('\n')}`,
        )
        .argument('<scenario>', `one of ${SCENARIO_NAMES.join(', ')}`, parseScenario)
        .option(
          '--acceleration <factor>',
          'simulated seconds per real second (0 freezes the clock)',
          parseAcceleration,
          1,
        )
        .option('--start <iso-date>', 'simulated time to start at (default: now)')
        .option(
          '--default-web-site <certificate>',
          `what IIS serves on the Default Web Site: self-signed (Setup's certificate, also on Exchange Back End) or third-party (a CA-issued certificate on every server; Setup's stays on the back end)`,
          oneOf(DEFAULT_WEB_SITE_CERTIFICATES),
        )
        .option('--force', 'replace an existing state file'),
      { canOpen: false },
    ),
  ).action(
    async (
      scenario: string,
      opts: BehaviourOptions & {
        state?: string;
        acceleration: number;
        start?: string;
        force?: boolean;
        defaultWebSite?: DefaultWebSiteCertificate;
      },
    ) => {
      let start: number | undefined;
      if (opts.start !== undefined) {
        start = Date.parse(opts.start);
        if (!Number.isFinite(start)) throw new Error(`--start "${opts.start}" is not an ISO-8601 date`);
      }
      const file = stateFile(opts);
      const org = await createOrganization(scenario, file, {
        acceleration: opts.acceleration,
        start,
        overwrite: opts.force,
        event2014On: opts.event2014On,
        defaultWebSite: opts.defaultWebSite,
        configuration: configurationOf(opts),
      });
      console.log(`created scenario ${scenario} with ${org.servers.length} servers in ${file}`);
    },
  );

  stateOption(
    program
      .command('show')
      .description('certificates per server, auth config, sign-in probe, pools and recent events')
      .option('--json', 'machine-readable output')
      .option('--events <n>', 'recent events per server', parseCount, 5),
  ).action((opts: { state?: string; json?: boolean; events: number }) => {
    const { org, now } = loadOrganization(stateFile(opts));
    const summary = summarizeOrganization(org, now, opts.events);
    console.log(opts.json ? JSON.stringify(summary, null, 2) : renderSummary(summary));
  });

  stateOption(
    program
      .command('advance')
      .description('move the simulated clock forward; servicelets and replication catch up')
      .argument('<duration>', 'e.g. 30m, 12h, 2d, 1d12h', parseDuration),
  ).action(async (duration: number, opts: { state?: string }) => {
    const file = stateFile(opts);
    const now = await withOrganization(file, (org) => {
      advanceClock(org, duration);
      return org.clock.anchorSim;
    });
    // Apply the catch-up to the new time and persist it, so that `show` and the shells agree.
    await withOrganization(file, () => undefined);
    console.log(`simulated now ${new Date(now).toISOString()}`);
  });

  stateOption(
    program
      .command('clock')
      .description('change the clock acceleration')
      .requiredOption('--acceleration <factor>', 'simulated seconds per real second (0 freezes)', parseAcceleration),
  ).action(async (opts: { state?: string; acceleration: number }) => {
    await withOrganization(stateFile(opts), (org) => setAcceleration(org, opts.acceleration));
    console.log(`acceleration x${opts.acceleration}`);
  });

  stateOption(
    behaviourOptions(
      program
        .command('configure')
        .description('switch behaviours of an existing organisation (only what is named changes)'),
      { canOpen: true },
    ),
  ).action(async (opts: BehaviourOptions & { state?: string }) => {
    const configuration = configurationOf(opts);
    if (!Object.keys(configuration).length) {
      throw new InvalidArgumentError('configure: name at least one behaviour to change; see sim configure --help');
    }
    await configureOrganization(stateFile(opts), configuration);
    console.log(`configured ${JSON.stringify(configuration)}`);
  });

  const fault = program.command('fault').description('inject or clear faults seen by the shells');
  stateOption(
    fault
      .command('inject')
      .description(
        'inject a fault: rpc (transient RPC error with --probability), hang (--cmdlet never answers), die (the shell process is killed before the cmdlet acts, --during-write its change, or --after it acted), access-denied',
      )
      .argument('<kind>', FAULT_KINDS.join(' | '), parseFaultKind)
      .option('--cmdlet <name>', "only this one of the simulator's cmdlets (required for hang; default: all of them)")
      .option('--probability <p>', 'for rpc: chance per invocation, 0..1 (default 1)', parseProbability)
      .option('--count <n>', 'fire only this many times', parseCount)
      .option('--after', 'for die: die after the cmdlet changed the organisation, before it answers')
      .option(
        '--during-write',
        'for die: die while the cmdlet writes its change, after the temporary file and before the rename',
      ),
  ).action(async (kind: FaultKind, opts: FaultOptions & { state?: string }) => {
    const f = parseFaultRequest(kind, opts);
    await injectFault(stateFile(opts), f);
    console.log(`injected ${JSON.stringify(f)}`);
  });
  stateOption(
    fault
      .command('clear')
      .description('clear faults of one kind, or all')
      .argument('[kind]', FAULT_KINDS.join(' | '), parseFaultKind),
  ).action(async (kind: FaultKind | undefined, opts: { state?: string }) => {
    const n = await clearFaults(stateFile(opts), kind);
    console.log(`cleared ${n} fault(s)`);
  });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.configureOutput({ writeErr: () => undefined });
  for (const c of program.commands) {
    c.exitOverride().configureOutput({ writeErr: () => undefined });
    for (const sub of c.commands) sub.exitOverride().configureOutput({ writeErr: () => undefined });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help') {
        console.error(
          'sim: a command is required (create, configure, show, advance, clock, fault inject|clear); see sim --help',
        );
        return 2;
      }
      console.error(`sim: ${usageMessage(e)}`);
      return 2;
    }
    console.error(`sim: ${(e as Error).message}`);
    return 1;
  }
}

/**
 * Commander's text without its own wording around ours: "command-argument value 'nope' is invalid for argument
 * 'scenario'. unknown scenario …" becomes "scenario: unknown scenario …", an option's "--acceleration: …".
 */
function usageMessage(e: CommanderError): string {
  const text = e.message.replace(/^error: /, '');
  if (e.code !== 'commander.invalidArgument') return text;
  const m =
    /^option '(\S+)[^']*' argument '.*' is invalid\. (.*)$/s.exec(text) ??
    /^command-argument value '.*' is invalid for argument '([^']+)'\. (.*)$/s.exec(text);
  return m ? `${m[1]}: ${m[2]}` : text;
}

/** The `sim` program: the command line on process.argv, then exit with its code. */
export function run(argv: string[] = process.argv.slice(2)): void {
  main(argv).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`sim: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}

if (require.main === module) run();
