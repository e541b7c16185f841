// ConvertTo-Json as Windows PowerShell 5.1 writes it: JavaScriptSerializer escaping (< > & ' as \u00XX), DateTime
// as "\/Date(ms)\/", enums as numbers, containers deeper than -Depth silently replaced by their string form, and 5.1's
// peculiar pretty layout (two spaces after the colon, nested containers indented under their key).
import { PSDateTime, PSEnum, PSHashtable, PSObject, PSSecureString, type PSValue } from './types';
import { formatRoundTrip, isScriptBlock, toStr } from './values';

type Node = { t: 'raw'; text: string } | { t: 'arr'; items: Node[] } | { t: 'obj'; entries: Array<[string, Node]> };

/** JavaScriptSerializer's string escaping. */
export function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '<':
      case '>':
      case '&':
      case "'":
        out += `\\u${code.toString(16).padStart(4, '0')}`;
        continue;
    }
    out += code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
  }
  return out + '"';
}

function toNode(value: PSValue, depth: number, maxDepth: number): Node {
  if (value === null || value === undefined) return { t: 'raw', text: 'null' };
  if (typeof value === 'string') return { t: 'raw', text: jsonString(value) };
  if (typeof value === 'boolean') return { t: 'raw', text: value ? 'true' : 'false' };
  if (typeof value === 'number') return { t: 'raw', text: formatRoundTrip(value) };
  if (value instanceof PSDateTime) return { t: 'raw', text: `"\\/Date(${Math.trunc(value.ms)})\\/"` };
  if (value instanceof PSEnum) return { t: 'raw', text: String(value.value) };
  if (isScriptBlock(value)) return { t: 'raw', text: jsonString(value.text) };
  if (depth > maxDepth) return { t: 'raw', text: jsonString(toStr(value)) };
  if (value instanceof PSSecureString)
    return { t: 'obj', entries: [['Length', { t: 'raw', text: String(value.plainText.length) }]] };
  if (value instanceof Uint8Array) return { t: 'arr', items: [...value].map((b) => ({ t: 'raw', text: String(b) })) };
  if (Array.isArray(value)) return { t: 'arr', items: value.map((v) => toNode(v, depth + 1, maxDepth)) };
  if (value instanceof PSHashtable || value instanceof PSObject) {
    return {
      t: 'obj',
      entries: value.entries().map(([k, v]) => [k, toNode(v, depth + 1, maxDepth)] as [string, Node]),
    };
  }
  return { t: 'raw', text: jsonString(String(value)) };
}

function compact(node: Node): string {
  if (node.t === 'raw') return node.text;
  if (node.t === 'arr') return `[${node.items.map(compact).join(',')}]`;
  return `{${node.entries.map(([k, v]) => `${jsonString(k)}:${compact(v)}`).join(',')}}`;
}

const NL = '\r\n';

function pretty(node: Node, base: number): string {
  if (node.t === 'raw') return node.text;
  const pad = ' '.repeat(base + 4);
  if (node.t === 'arr') {
    const items = node.items.map((item) => pad + pretty(item, base + 4));
    return `[${NL}${items.join(`,${NL}`)}${NL}${' '.repeat(base)}]`;
  }
  const entries = node.entries.map(([k, v]) => {
    const head = `${jsonString(k)}:  `;
    return pad + head + pretty(v, base + 4 + head.length);
  });
  return `{${NL}${entries.join(`,${NL}`)}${NL}${' '.repeat(base)}}`;
}

export function convertToJson(value: PSValue, depth: number, compress: boolean): string {
  const node = toNode(value, 0, depth);
  return compress ? compact(node) : pretty(node, 0);
}

/** ConvertFrom-Json: objects become PSCustomObjects, "\/Date(ms)\/" strings DateTimes, as in 5.1. */
export function convertFromJson(text: string): PSValue {
  const parsed: unknown = JSON.parse(text);
  const convert = (v: unknown): PSValue => {
    if (v === null) return null;
    if (typeof v === 'string') {
      const m = /^\/Date\((-?\d+)\)\/$/.exec(v);
      return m ? new PSDateTime(Number(m[1]), 'Utc') : v;
    }
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    if (Array.isArray(v)) return v.map(convert);
    const obj = new PSObject('System.Management.Automation.PSCustomObject');
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) obj.set(k, convert(val));
    return obj;
  };
  return convert(parsed);
}
