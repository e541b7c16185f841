// Change tracking: every way the cmdlets change the organisation is noticed, nothing else is, and no proxy ends up
// inside the organisation.
import { trackChanges } from '../../exchange/track';
import { at } from '../../invariant';

interface Item {
  id: string;
  tags: string[];
}
interface State {
  counter: number;
  items: Item[];
  nested: { a: { b: number | null } };
  map: Record<string, number>;
}

function state(): State {
  return {
    counter: 1,
    items: [
      { id: 'x', tags: ['1'] },
      { id: 'y', tags: [] },
    ],
    nested: { a: { b: 2 } },
    map: { k: 1 },
  };
}

/** True when serialising the raw state meets no proxy (a proxy serialises like its target, so look for one). */
function holdsNoProxy(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) return false;
  try {
    structuredClone(value); // throws DataCloneError on a proxy anywhere inside
  } catch {
    return false;
  }
  return true;
}

describe('trackChanges', () => {
  it.each<[string, (s: State) => unknown]>([
    ['reads', (s) => [s.counter, s.items.map((i) => i.id), s.items.find((i) => i.id === 'y'), Object.keys(s.map)]],
    ['writing the same value', (s) => ((s.counter = 1), (s.nested.a.b = 2), (s.items[0] = at(s.items, 0, 'item')))],
    ['sorting what is already in order', (s) => s.items.sort((a, b) => a.id.localeCompare(b.id))],
    ['filtering without assigning', (s) => s.items.filter((i) => i.id === 'x')],
    ['deleting a key that is not there', (s) => delete (s.map as Record<string, number>).absent],
  ])('%s: no change', (_, act) => {
    const raw = state();
    const before = JSON.stringify(raw);
    const t = trackChanges(raw);
    act(t.value);
    expect(t.changed()).toBe(false);
    expect(JSON.stringify(raw)).toBe(before);
  });

  it.each<[string, (s: State) => unknown]>([
    ['a number', (s) => (s.counter += 1)],
    ['a nested value', (s) => (s.nested.a.b = null)],
    ['a push', (s) => s.items.push({ id: 'z', tags: [] })],
    ['a push deep down', (s) => at(s.items, 1, 'item').tags.push('t')],
    ['a splice', (s) => s.items.splice(0, 1)],
    ['a sort that moves something', (s) => s.items.sort((a, b) => b.id.localeCompare(a.id))],
    ['a reassigned filter', (s) => (s.items = s.items.filter((i) => i.id === 'y'))],
    ['a new key', (s) => (s.map.other = 2)],
    ['a delete', (s) => delete (s.map as Record<string, number>).k],
    ['a replaced element', (s) => (s.items[0] = { ...at(s.items, 0, 'item'), tags: ['2'] })],
  ])('%s: a change', (_, act) => {
    const raw = state();
    const before = JSON.stringify(raw);
    const t = trackChanges(raw);
    act(t.value);
    expect(t.changed()).toBe(true);
    expect(JSON.stringify(raw)).not.toBe(before);
    expect(holdsNoProxy(raw)).toBe(true);
  });

  it('stores raw values, also inside new arrays and objects made from what it read', () => {
    const raw = state();
    const t = trackChanges(raw);
    const s = t.value;
    s.items = [...s.items, { id: 'copy', tags: at(s.items, 0, 'item').tags }];
    s.nested = { a: s.nested.a };
    expect(holdsNoProxy(raw)).toBe(true);
    expect(at(raw.items, 2, 'item').tags).toBe(at(raw.items, 0, 'item').tags);
    expect(raw.nested.a).toEqual({ b: 2 });
  });

  it('gives the same proxy for the same object, so identity holds', () => {
    const t = trackChanges(state());
    expect(t.value.items[0]).toBe(t.value.items[0]);
    expect(t.value.items.find((i) => i.id === 'x')).toBe(t.value.items[0]);
    expect(t.value.items.indexOf(at(t.value.items, 1, 'item'))).toBe(1);
  });

  it('ignores what the caller says does not count', () => {
    const raw = state();
    const t = trackChanges(raw, (target, key) => target === raw && key === 'counter');
    t.value.counter = 99;
    expect(t.changed()).toBe(false);
    expect(raw.counter).toBe(99);
    t.value.nested.a.b = 3;
    expect(t.changed()).toBe(true);
  });
});
