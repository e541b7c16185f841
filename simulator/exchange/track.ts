// Change tracking for the organisation a cmdlet acts on. The cmdlet gets a proxy of the state that notes every write
// (assignment, push, splice, sort that moves something, delete), so the read-modify-write knows whether to write the
// state file without serialising the whole organisation twice to compare: at 200 servers that comparison alone cost
// more than the cmdlet.
//
// What is stored through the proxy is stored raw (proxies unwrapped, also inside new arrays and objects), so the
// organisation itself never holds a proxy and serialises as before. Reads give proxies, the same one for the same
// object, so identity comparisons between values read through the proxy hold.

const RAW = Symbol('raw');

export interface Tracked<T> {
  /** The organisation to act on. */
  value: T;
  /** Whether anything was written through `value` that changed it. */
  changed(): boolean;
}

function isObject(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

function rawOf<T>(v: T): T {
  return isObject(v) ? (((v as Record<symbol, unknown>)[RAW] as T | undefined) ?? v) : v;
}

/** `v` with every proxy in it replaced by its target; new arrays and objects are changed in place. */
function unwrapDeep<T>(v: T): T {
  const raw = rawOf(v);
  if (raw !== v || !isObject(raw)) return raw;
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const inner = record[key];
    if (isObject(inner)) {
      const unwrapped = unwrapDeep(inner);
      if (unwrapped !== inner) record[key] = unwrapped;
    }
  }
  return raw;
}

/** Tracks writes to `root`; `ignore(target, key)` names writes that do not count as changes. */
export function trackChanges<T extends object>(
  root: T,
  ignore: (target: object, key: PropertyKey) => boolean = () => false,
): Tracked<T> {
  let dirty = false;
  const proxies = new WeakMap<object, object>();
  const note = (target: object, key: PropertyKey) => {
    if (!ignore(target, key)) dirty = true;
  };
  const handler: ProxyHandler<object> = {
    get(target, key) {
      if (key === RAW) return target;
      const value: unknown = Reflect.get(target, key);
      return isObject(value) ? wrap(value) : value;
    },
    set(target, key, value) {
      const raw = unwrapDeep(value as unknown);
      if (!Object.prototype.hasOwnProperty.call(target, key) || !Object.is(Reflect.get(target, key), raw)) {
        note(target, key);
      }
      return Reflect.set(target, key, raw);
    },
    deleteProperty(target, key) {
      if (Object.prototype.hasOwnProperty.call(target, key)) note(target, key);
      return Reflect.deleteProperty(target, key);
    },
    defineProperty(target, key, descriptor) {
      note(target, key);
      if ('value' in descriptor) descriptor = { ...descriptor, value: unwrapDeep(descriptor.value as unknown) };
      return Reflect.defineProperty(target, key, descriptor);
    },
  };
  const wrap = (target: object): object => {
    let proxy = proxies.get(target);
    if (!proxy) {
      proxy = new Proxy(target, handler);
      proxies.set(target, proxy);
    }
    return proxy;
  };
  return { value: wrap(root) as T, changed: () => dirty };
}
