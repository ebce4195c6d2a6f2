// Mutations of valid files for the readers' fuzz test, as plain data so that fast-check can shrink and
// print them: byte edits (bit flips, truncation, inserted and deleted bytes, inserted text such as huge
// numbers or deep nesting) and, for JSON (a whole file or a safetensors header), edits of one value
// (a wrong type, a huge or negative number, a deleted key, deep nesting).

import fc from 'fast-check';

export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'delete'; at: number; length: number }
  | { op: 'text'; at: number; text: string }
  | { op: 'repeat'; at: number; bytes: number[]; times: number }
  | { op: 'json'; path: number[]; value: Replacement };

/** What a JSON value is replaced with; "deep" is nesting the recursive readers of old could not survive. */
export type Replacement =
  | { kind: 'value'; value: unknown }
  | { kind: 'delete' }
  | { kind: 'deep'; depth: number; open: '[' | '{"a":' }
  | { kind: 'nudge'; factor: number; shift: number };

const DEEP_SENTINEL = '"\u0000deep\u0000"';

const interestingText = fc.constantFrom(
  '1e308',
  '-1',
  '99999999999999999999',
  '4294967296',
  '9007199254740993',
  '1.5',
  'null',
  '"',
  '\\',
  '\n',
  '{',
  '}',
  ']',
  ',',
  '\u2581',
  '\uFFFD',
  '['.repeat(100_000),
  '{"a":'.repeat(10_000),
);

const replacement: fc.Arbitrary<Replacement> = fc.oneof(
  fc.record({
    kind: fc.constant('value' as const),
    value: fc.oneof(
      fc.constantFrom(
        null,
        true,
        false,
        0,
        -1,
        1.5,
        1e9,
        1e300,
        -1e300,
        2 ** 31,
        2 ** 32,
        2 ** 53 + 2,
        4_194_305,
        65_537,
        1_000_000,
        '',
        'x',
        'F16',
        'BF16',
        'I32',
        'F64',
        'I64',
        '\n',
        [],
        {},
        [0],
        [1, 2],
        [0, 1e15],
        { kind: 'full' },
        { kind: 'linformer', projectedLength: 1e9 },
      ),
      fc.integer({ min: -3, max: 70_000 }),
      fc.string({ maxLength: 8 }),
      fc.array(fc.integer({ min: -2, max: 300 }), { maxLength: 4 }),
    ),
  }),
  fc.record({ kind: fc.constant('delete' as const) }),
  // A number moved a little keeps most files valid: other sizes, ids and rates that must still be read right.
  fc.record({
    kind: fc.constant('nudge' as const),
    factor: fc.constantFrom(1, 1, 2, 0.5, 4),
    shift: fc.constantFrom(-1, 0, 1),
  }),
  fc.record({
    kind: fc.constant('deep' as const),
    depth: fc.constantFrom(65, 1000, 100_000),
    open: fc.constantFrom('[' as const, '{"a":' as const),
  }),
);

const position = fc.nat({ max: 2 ** 30 });

const byteMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({
    op: fc.constant('insert' as const),
    at: position,
    bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('text' as const), at: position, text: interestingText }),
  // A short pattern many times over: deep nesting in binary formats (protobuf start-group tags).
  fc.record({
    op: fc.constant('repeat' as const),
    at: position,
    bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 3 }),
    times: fc.constantFrom(2, 100, 100_000),
  }),
);

const jsonMutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constant('json' as const),
  path: fc.array(fc.nat({ max: 2 ** 16 }), { minLength: 1, maxLength: 5 }),
  value: replacement,
});

/** One to three mutations; JSON-aware ones are likelier when `json` is set. */
export function mutations(json: boolean): fc.Arbitrary<Mutation[]> {
  const one = json
    ? fc.oneof({ arbitrary: jsonMutation, weight: 3 }, { arbitrary: byteMutation, weight: 2 })
    : byteMutation;
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

/** Applies byte mutations to `bytes`; JSON ones to the JSON text `bytes` holds (left alone when it is not JSON). */
export function mutate(bytes: Uint8Array, list: readonly Mutation[]): Uint8Array {
  let out = bytes;
  for (const m of list) out = apply(out, m);
  return out;
}

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : ('at' in m ? m.at : 0) % (n + 1);
  switch (m.op) {
    case 'flip': {
      if (n === 0) return bytes;
      const out = Uint8Array.from(bytes);
      out[at % n] ^= 1 << m.bit;
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'insert':
      return concat(bytes.subarray(0, at), Uint8Array.from(m.bytes), bytes.subarray(at));
    case 'delete':
      return concat(bytes.subarray(0, at), bytes.subarray(Math.min(n, at + m.length)));
    case 'text':
      return concat(bytes.subarray(0, at), new TextEncoder().encode(m.text), bytes.subarray(at));
    case 'repeat': {
      const run = new Uint8Array(m.bytes.length * m.times);
      for (let i = 0; i < run.length; i++) run[i] = m.bytes[i % m.bytes.length];
      return concat(bytes.subarray(0, at), run, bytes.subarray(at));
    }
    case 'json':
      return editJson(bytes, m.path, m.value);
  }
}

/** Replaces (or deletes) the value the path leads to; each path entry picks a child modulo their count. */
function editJson(bytes: Uint8Array, path: readonly number[], value: Replacement): Uint8Array {
  let root: unknown;
  try {
    root = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return bytes;
  }
  const holder = { root };
  let parent: Record<string, unknown> | unknown[] = holder;
  let key: string | number = 'root';
  for (const step of path) {
    const node: unknown = (parent as Record<string, unknown>)[key as string];
    if (node === null || typeof node !== 'object') break;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    parent = node as Record<string, unknown>;
    key = keys[step % keys.length];
  }
  if (value.kind === 'delete') {
    if (parent === holder) return new Uint8Array(0);
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else {
    const target = parent as Record<string, unknown>;
    const current = target[key as string];
    if (value.kind === 'nudge') {
      if (typeof current === 'number') target[key as string] = current * value.factor + value.shift;
    } else target[key as string] = value.kind === 'value' ? value.value : '\u0000deep\u0000';
  }
  let text = JSON.stringify(holder.root) ?? '';
  if (value.kind === 'deep') {
    const close = value.open === '[' ? ']' : '}';
    const deep = `${value.open.repeat(value.depth)}${value.open === '[' ? '' : '1'}${close.repeat(value.depth)}`;
    text = text.replace(DEEP_SENTINEL, deep);
  }
  return new TextEncoder().encode(text);
}

/** A safetensors file with its JSON header mutated (the length prefix rewritten to match, or kept). */
export function mutateSafetensors(bytes: Uint8Array, list: readonly Mutation[], keepPrefix: boolean): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = mutate(bytes.subarray(8, 8 + n), list);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(keepPrefix ? n : header.length), true);
  return concat(prefix, header, bytes.subarray(8 + n));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
