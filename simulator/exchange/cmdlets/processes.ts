// Get-CimInstance Win32_Process: the processes running on a server (the service host and one IIS worker process per
// started pool), each with the start time and ID that a restart or recycle changes.
import { CmdletSpec, PSError } from '../../shell/types';
import { Server } from '../model';
import { SimulatedProcess, win32ProcessObject } from '../objects';
import { str } from './args';
import { Runner } from './run';
import { localMachine } from './targets';

export const SERVICE_HOST_PROCESS = 'Microsoft.Exchange.ServiceHost';

export function processCmdlets(run: Runner): CmdletSpec[] {
  return [
    {
      // CimCmdlets: only the class the service reads, Win32_Process, on the machine the command runs on.
      name: 'Get-CimInstance',
      params: [
        { name: 'ClassName', type: 'String', position: 0 },
        { name: 'Filter', type: 'String' },
        { name: 'Namespace', type: 'String' },
      ],
      invoke: (args, ctx) =>
        run((org) => {
          const server = localMachine(org, ctx);
          const className = str(args.ClassName) ?? '';
          const namespace = str(args.Namespace) ?? 'root/cimv2';
          if (className.toLowerCase() !== 'win32_process' || !/^root[\\/]cimv2$/i.test(namespace)) {
            throw cimError('Invalid class', 'MetadataError', '0x80041010', `${namespace}:${className}`);
          }
          const matches = wqlFilter(str(args.Filter));
          return runningProcesses(server)
            .filter(matches)
            .map((p) => win32ProcessObject(server, p));
        }),
    },
  ];
}

const W3WP = 'w3wp.exe';
const INETSRV = 'c:\\windows\\system32\\inetsrv';
const EXCHANGE_BIN = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin';
const SERVICES_PID = 700;

/** Windows process IDs are multiples of four; these follow from when the process started, so they are stable. */
const processId = (started: number, index: number) => 1000 + ((Math.floor(started / 1000) * 4 + index * 4) % 60_000);

/**
 * What runs on a server: the service host since its last start, and one IIS worker process per started pool since the
 * pool last started a worker (a recycle starts a new one; a stopped pool has none).
 */
function runningProcesses(server: Server): SimulatedProcess[] {
  const serviceHost = `${SERVICE_HOST_PROCESS}.exe`;
  const processes: SimulatedProcess[] = [
    {
      name: serviceHost,
      processId: processId(server.serviceHost.lastStart, 0),
      parentProcessId: SERVICES_PID,
      executablePath: `${EXCHANGE_BIN}\\${serviceHost}`,
      commandLine: `"${EXCHANGE_BIN}\\${serviceHost}"`,
      started: server.serviceHost.lastStart,
    },
  ];
  server.appPools.forEach((pool, i) => {
    if (pool.state !== 'Started') return;
    processes.push({
      name: W3WP,
      processId: processId(pool.lastRecycle, i + 1),
      parentProcessId: SERVICES_PID + 4,
      executablePath: `${INETSRV}\\${W3WP}`,
      commandLine:
        `${INETSRV}\\${W3WP} -ap "${pool.name}" -v "v4.0" -l "webengine4.dll" -a \\\\.\\pipe\\iisipm${pool.lastRecycle.toString(16)} ` +
        `-h "C:\\inetpub\\temp\\apppools\\${pool.name}\\${pool.name}.config" -w "" -m 0`,
      started: pool.lastRecycle,
    });
  });
  return processes;
}

/** The WQL WHERE clauses a -Filter may hold here: `Property = 'value'` (or a number), joined by AND. */
function wqlFilter(filter: string | undefined): (p: SimulatedProcess) => boolean {
  if (filter === undefined || filter.trim() === '') return () => true;
  const fields: Record<string, (p: SimulatedProcess) => string> = {
    name: (p) => p.name,
    processid: (p) => String(p.processId),
    handle: (p) => String(p.processId),
    parentprocessid: (p) => String(p.parentProcessId),
    executablepath: (p) => p.executablePath,
    commandline: (p) => p.commandLine,
  };
  const tests = filter.split(/\s+and\s+/i).map((clause) => {
    const m = /^\s*(\w+)\s*=\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*$/.exec(clause);
    const field = m && fields[m[1]!.toLowerCase()];
    if (!m || !field) throw cimError('Invalid query', 'InvalidArgument', '0x80041017', null);
    // WQL compares strings without regard to case.
    const wanted = (m[2] ?? m[3] ?? m[4]!).toLowerCase();
    return (p: SimulatedProcess) => field(p).toLowerCase() === wanted;
  });
  return (p) => tests.every((t) => t(p));
}

function cimError(message: string, category: string, hresult: string, target: string | null): PSError {
  return new PSError(message, {
    category,
    reason: 'CimException',
    exceptionType: 'Microsoft.Management.Infrastructure.CimException',
    errorId: `HRESULT ${hresult},Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand`,
    ...(target === null ? {} : { targetObject: target }),
  });
}
