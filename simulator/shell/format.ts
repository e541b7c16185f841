// How uncaptured pipeline output is shown (Out-Default): strings as themselves, scalars in their display form,
// hashtables as a Name/Value table and objects as a property list, like Windows PowerShell's default views.
import { PSDateTime, PSHashtable, PSObject, type PSValue } from './types';
import { formatDateTime, toStr } from './values';

function display(value: PSValue): string {
  if (value instanceof PSDateTime) return formatDateTime(value, 'dddd, MMMM d, yyyy h:mm:ss tt');
  if (Array.isArray(value)) return `{${value.map((v) => toStr(v)).join(', ')}}`;
  if (value instanceof Uint8Array) return `{${[...value].slice(0, 4).join(', ')}${value.length > 4 ? '...' : ''}}`;
  return toStr(value);
}

/** Lines for one output record. */
export function formatRecord(value: PSValue): string[] {
  if (value === null) return [];
  if (value instanceof PSHashtable) {
    const rows = value.entries();
    const lines = ['', `${'Name'.padEnd(30)} Value`, `${'----'.padEnd(30)} -----`];
    for (const [k, v] of rows) lines.push(`${k.padEnd(30)} ${display(v)}`);
    lines.push('');
    return lines;
  }
  if (value instanceof PSObject) {
    const entries = value.entries();
    if (entries.length === 0) return [toStr(value)];
    const width = Math.max(...entries.map(([k]) => k.length));
    return ['', ...entries.map(([k, v]) => `${k.padEnd(width)} : ${display(v)}`), ''];
  }
  return [display(value)];
}
