// Arguments as the cmdlets read them: the binder has converted each to its declared type; these only unwrap it. Also
// the parameter declarations several cmdlets share.
import { ParamSpec, PSDateTime, PSEnum, PSError, PSSecureString, PSValue } from '../../shell/types';
import { ServiceName, serviceNameSchema } from '../model';

export const SERVICES_PARAM: ParamSpec['type'] = {
  enum: 'Microsoft.Exchange.Management.SystemConfigurationTasks.AllowedServices',
  values: ['None', 'IMAP', 'POP', 'UM', 'IIS', 'SMTP', 'Federation', 'UMCallRouter'],
  flags: true,
};
export const common = (...names: string[]): ParamSpec[] =>
  names.map((name) => ({ name, type: name === 'DomainController' ? 'String' : 'SwitchParameter' }) as ParamSpec);

export function str(v: PSValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof PSEnum) return v.names;
  if (Array.isArray(v)) return v.length === 1 ? str(v[0]) : v.map((x) => str(x) ?? '').join(' ');
  return String(v);
}

export function bool(v: PSValue | undefined): boolean {
  if (Array.isArray(v)) return v.length > 0 && bool(v[0]);
  return v === true || (typeof v === 'number' && v !== 0) || (typeof v === 'string' && /^true$/i.test(v));
}

export function dateMs(v: PSValue | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof PSDateTime) return v.ms;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

export function bytes(v: PSValue | undefined): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return Uint8Array.from(v as number[]);
  return undefined;
}

export function secret(v: PSValue | undefined): string | undefined {
  if (v instanceof PSSecureString) return v.plainText;
  if (typeof v === 'string') return v;
  return undefined;
}

export function strings(v: PSValue | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x) => strings(x));
  const s = str(v);
  return s === undefined ? [] : [s];
}

export function parseServices(v: PSValue | undefined): ServiceName[] | undefined {
  if (v === undefined || v === null) return undefined;
  const names = strings(v instanceof PSEnum ? v.names : v).flatMap((s) => s.split(','));
  const out: ServiceName[] = [];
  for (const raw of names.map((n) => n.trim()).filter(Boolean)) {
    if (/^none$/i.test(raw)) continue;
    const hit = serviceNameSchema.options.find((o) => o.toLowerCase() === raw.toLowerCase());
    if (!hit) {
      throw new PSError(
        `Cannot bind parameter 'Services'. Cannot convert value "${raw}" to type "Microsoft.Exchange.Management.SystemConfigurationTasks.AllowedServices". Error: "Unable to match the identifier name ${raw} to a valid enumerator name. Specify one of the following enumerator names and try again: None, IMAP, POP, UM, IIS, SMTP, Federation, UMCallRouter"`,
        {
          category: 'InvalidArgument',
          reason: 'ParameterBindingException',
          exceptionType: 'System.Management.Automation.ParameterBindingException',
          errorId: 'CannotConvertArgumentNoMessage',
        },
      );
    }
    if (!out.includes(hit)) out.push(hit);
  }
  return out;
}
