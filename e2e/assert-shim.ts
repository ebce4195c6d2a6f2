// What the conformance cases use of node:assert/strict, for a page: the e2e server hands this module to the
// browser in place of node:assert/strict. deepEqual follows Node's strict mode: primitives by Object.is (so
// 0 and -0 differ), typed arrays byte for byte, arrays and plain objects key by key.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

function fail(message = 'Failed'): never {
  throw new AssertionError(message);
}

function ok(value: unknown, message?: string): void {
  if (!value) fail(message ?? `expected a truthy value, got ${String(value)}`);
}

function equal(actual: unknown, expected: unknown, message?: string): void {
  if (!Object.is(actual, expected)) fail(message ?? `${String(actual)} !== ${String(expected)}`);
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    if (a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.every((v, i) => v === y[i]);
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => k in b && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  if (!same(actual, expected)) fail(message ?? 'the values are not deeply equal');
}

type Expected = RegExp | (new (...args: never[]) => Error) | { name?: string; message?: RegExp | string };

function throws(fn: () => unknown, expected?: Expected, message?: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (error === undefined) fail(message ?? 'Missing expected exception.');
  const e = error as Error;
  if (expected === undefined) return;
  if (expected instanceof RegExp) {
    ok(expected.test(String(e.message)), message ?? `"${e.message}" does not match ${expected}`);
  } else if (typeof expected === 'function') {
    ok(e instanceof expected, message ?? `${e.name} is not a ${expected.name}`);
  } else {
    if (expected.name !== undefined) equal(e.name, expected.name, message);
    const m = expected.message;
    if (m instanceof RegExp) ok(m.test(e.message), message ?? `"${e.message}" does not match ${m}`);
    else if (m !== undefined) equal(e.message, m, message);
  }
}

export default { AssertionError, deepEqual, equal, fail, ok, throws };
