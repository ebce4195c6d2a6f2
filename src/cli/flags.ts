// Checking command-line values, with errors that name the flag and what was expected.

import { quote } from '../quote.js';

export class UsageError extends Error {}

export function integerFlag(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${name} must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got ${quote(value)}`,
    );
  }
  return n;
}

/** A finite number in a range; `above` excludes the lower end: { above: 0, max: 1 } is (0, 1]. */
export function numberFlag(
  name: string,
  value: string | undefined,
  range: { min?: number; above?: number; max?: number },
): number {
  const x = Number(value);
  const { min, above, max } = range;
  const ok =
    value !== undefined &&
    value.trim() !== '' &&
    Number.isFinite(x) &&
    (min === undefined || x >= min) &&
    (above === undefined || x > above) &&
    (max === undefined || x <= max);
  if (ok) return x;
  const low = above !== undefined ? `(${above}` : `[${min}`;
  const expected =
    max === undefined
      ? above !== undefined
        ? `> ${above}`
        : `>= ${min}`
      : min === undefined && above === undefined
        ? `<= ${max}`
        : `in ${low}, ${max}]`;
  throw new UsageError(`${name} must be a number ${expected}, got ${quote(value)}`);
}
