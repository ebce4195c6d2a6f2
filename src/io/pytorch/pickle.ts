// A Python pickle reader that understands only what a PyTorch state dict is made of: a stack machine
// over the opcodes of protocol 2 (plus the few of protocols 3 and 4 a newer pickler may emit for the
// same values), whose only "globals" are the names on an allow-list, kept as inert markers. Nothing
// named in a file is ever looked up or called: REDUCE on an allowed marker builds a plain value here,
// and any other global or opcode ends the read with an error naming it.

import { InputError } from '../../errors.js';
import { oneLine } from '../../quote.js';
import { OPCODE_NAMES } from './opcodes.js';

/** A checkpoint that cannot be read; the message names the file. */
export class PytorchError extends InputError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** An allowed global, by its Python name ("torch._utils._rebuild_tensor_v2"); the callers decide what it means. */
export class PyGlobal {
  constructor(readonly name: string) {}
}

/** A dict or OrderedDict, in insertion order. */
export class PyDict {
  readonly items = new Map<PyKey, PyValue>();
}

export type PyKey = string | number | boolean | null;
/**
 * None, booleans, numbers (a bigint beyond 2^53), strings, arrays (lists and tuples alike: nothing a
 * state dict holds tells them apart), PyDict, PyGlobal and what the callbacks return.
 */
export type PyValue = unknown;

export interface UnpickleOptions {
  /** Names in errors. */
  file: string;
  /** Python "module.name" of every global the file may mention. */
  globals: ReadonlySet<string>;
  /** REDUCE of an allowed global: the value it stands for, or a PytorchError. */
  reduce: (callable: PyGlobal, args: PyValue[]) => PyValue;
  /** BINPERSID: the object a persistent id stands for (a storage). */
  persistentLoad?: (pid: PyValue) => PyValue;
}

const MARK = Symbol('mark');
const utf8 = new TextDecoder('utf-8');
const latin1Decoder = new TextDecoder('latin1');

/** Reads one pickle starting at `start`; returns its value and the offset just past its STOP. */
export function unpickle(bytes: Uint8Array, start: number, options: UnpickleOptions): { value: PyValue; end: number } {
  const { file } = options;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let at = start;
  let opcodeAt = start;

  const fail = (message: string): never => {
    throw new PytorchError(file, `pickle at byte ${opcodeAt}: ${message}`);
  };
  const need = (n: number) => {
    if (n < 0 || at + n > bytes.byteLength) fail(`the file ends inside an opcode's argument (${n} bytes needed)`);
  };
  const u8 = () => (need(1), bytes[at++]);
  const u16 = () => (need(2), (at += 2), view.getUint16(at - 2, true));
  const i32 = () => (need(4), (at += 4), view.getInt32(at - 4, true));
  const u32 = () => (need(4), (at += 4), view.getUint32(at - 4, true));
  const u64 = () => {
    need(8);
    const n = view.getBigUint64(at, true);
    at += 8;
    return n > BigInt(bytes.byteLength) ? fail(`a length of ${n} bytes, beyond the file`) : Number(n);
  };
  const text = (n: number) => (need(n), utf8.decode(bytes.subarray(at, (at += n))));
  const latin1 = (n: number) => (need(n), latin1Decoder.decode(bytes.subarray(at, (at += n))));
  const line = () => {
    const end = bytes.indexOf(10, at);
    if (end < 0 || end - at > 1000) fail('a GLOBAL name without its end of line');
    return text(end - at + 1).slice(0, -1);
  };
  const pop = (): unknown => (stack.length === 0 || stack.at(-1) === MARK ? fail('the stack is empty') : stack.pop());
  const top = (): unknown => (stack.length === 0 || stack.at(-1) === MARK ? fail('the stack is empty') : stack.at(-1));
  const popMark = (): unknown[] => {
    const mark = stack.lastIndexOf(MARK);
    if (mark < 0) fail('no MARK before a MARK-ended opcode');
    const items = stack.splice(mark);
    return items.slice(1);
  };
  const global = (module: string, name: string): PyGlobal => {
    const full = `${module}.${name}`;
    if (!options.globals.has(full))
      fail(
        `refused the global ${oneLine(full, 120)}: a state dict holds only ${[...options.globals].slice(0, 3).join(', ')} ` +
          'and torch storage types, and nothing in the file is run',
      );
    return new PyGlobal(full);
  };
  const setItems = (dict: unknown, items: unknown[]) => {
    if (!(dict instanceof PyDict)) fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) fail('SETITEMS with a key and no value');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (key !== null && !['string', 'number', 'boolean'].includes(typeof key))
        fail('a dict key that is not a string or a number');
      (dict as PyDict).items.set(key as PyKey, items[i + 1]);
    }
  };
  const append = (list: unknown, items: unknown[]) => {
    if (!Array.isArray(list)) fail('APPEND(S) on something that is not a list');
    for (const item of items) (list as unknown[]).push(item);
  };
  const memoGet = (key: number) => (memo.has(key) ? memo.get(key) : fail(`memo entry ${key} was never stored`));

  for (;;) {
    opcodeAt = at;
    if (at >= bytes.byteLength) fail('the file ends before the pickle STOP opcode');
    const op = String.fromCharCode(bytes[at++]);
    switch (op) {
      case '\x80': // PROTO
        if (u8() > 5) fail('an unknown pickle protocol');
        break;
      case '\x95': // FRAME: a length prefix only
        u64();
        break;
      case '.':
        if (stack.length !== 1 || stack[0] === MARK) fail(`STOP with ${stack.length} values on the stack`);
        return { value: stack[0], end: at };
      case '(':
        stack.push(MARK);
        break;
      case 'N':
        stack.push(null);
        break;
      case '\x88':
        stack.push(true);
        break;
      case '\x89':
        stack.push(false);
        break;
      case 'K':
        stack.push(u8());
        break;
      case 'M':
        stack.push(u16());
        break;
      case 'J':
        stack.push(i32());
        break;
      case '\x8a': {
        const n = u8();
        need(n);
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]);
        if (n > 0 && bytes[at + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
        at += n;
        stack.push(
          value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value,
        );
        break;
      }
      case 'G':
        need(8);
        stack.push(view.getFloat64(at, false));
        at += 8;
        break;
      case 'X':
        stack.push(text(u32()));
        break;
      case '\x8c':
        stack.push(text(u8()));
        break;
      case '\x8d':
        stack.push(text(u64()));
        break;
      case 'U':
        stack.push(latin1(u8()));
        break;
      case 'T': {
        const n = i32();
        stack.push(n < 0 ? fail('a negative string length') : latin1(n));
        break;
      }
      case ')':
        stack.push([]);
        break;
      case ']':
        stack.push([]);
        break;
      case '}':
        stack.push(new PyDict());
        break;
      case 't':
        stack.push(popMark());
        break;
      case '\x85':
        stack.push([pop()]);
        break;
      case '\x86': {
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case '\x87': {
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 'q':
        memo.set(u8(), top());
        break;
      case 'r':
        memo.set(u32(), top());
        break;
      case '\x94':
        memo.set(memo.size, top());
        break;
      case 'h':
        stack.push(memoGet(u8()));
        break;
      case 'j':
        stack.push(memoGet(u32()));
        break;
      case 'c':
        stack.push(global(line(), line()));
        break;
      case '\x93': {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL of names that are not strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 'R': {
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PyGlobal) || !Array.isArray(args))
          fail('REDUCE of something that is not an allowed global');
        stack.push(options.reduce(callable as PyGlobal, args as PyValue[]));
        break;
      }
      case 'b': {
        // State for an OrderedDict (its _metadata attribute): not needed for the tensors, dropped.
        const state = pop();
        const target = top();
        if (!(target instanceof PyDict) || !(state instanceof PyDict)) fail('BUILD of something other than a dict');
        break;
      }
      case 'Q': {
        const pid = pop();
        if (options.persistentLoad === undefined) fail('a persistent id where none is expected');
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 's': {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 'u': {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 'a': {
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 'e': {
        const items = popMark();
        append(top(), items);
        break;
      }
      case '0':
        pop();
        break;
      default: {
        const name = OPCODE_NAMES[op];
        fail(
          name === undefined
            ? `unknown opcode 0x${op.charCodeAt(0).toString(16).padStart(2, '0')}`
            : `opcode ${name} is not allowed in a state dict`,
        );
      }
    }
  }
}
