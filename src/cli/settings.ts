// Checking `--set section.KEY=VALUE` items: the value as JSON (else a string), a key the section knows
// (an unknown one is listed against the known ones, the closest first), and the value's type and range.

import { makeConfig } from '../model/config.js';
import { UsageError } from './flags.js';

/** The keys of the model config, which `--set model.KEY` may override (the config checks the values). */
export const modelKeys: readonly string[] = Object.keys(makeConfig(null));

/** What a setting accepts: a number (whole or not) within bounds, or one of a few strings. */
export type Rule =
  | { type: 'number'; integer?: boolean; min: number; max?: number; minOpen?: boolean; maxOpen?: boolean }
  | { type: 'choice'; values: readonly string[] };

/** An item split into its section, key and value; UsageError when it is not `section.KEY=VALUE`. */
export function splitSetting(
  item: string,
  sections: readonly string[],
): { section: string; key: string; value: unknown } {
  const at = item.indexOf('=');
  const dot = item.indexOf('.');
  const section = item.slice(0, dot);
  if (at < 0 || dot < 0 || dot > at || !sections.includes(section))
    throw new UsageError(`--set expects ${sections.map((s) => `${s}.KEY=VALUE`).join(' or ')}, got ${quote(item)}`);
  const raw = item.slice(at + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return { section, key: item.slice(dot + 1, at), value };
}

/** Checks `value` against `rule`; `name` is the full setting name, e.g. train.accumulate. */
export function checkValue(name: string, value: unknown, rule: Rule): void {
  if (rule.type === 'choice') {
    if (!rule.values.includes(value as string))
      throw new UsageError(`--set ${name} must be one of ${rule.values.join(', ')}, got ${quote(value)}`);
    return;
  }
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.minOpen ? value > rule.min : value >= rule.min) &&
    (rule.max === undefined || (rule.maxOpen ? value < rule.max : value <= rule.max));
  if (!ok) throw new UsageError(`--set ${name} must be ${describe(rule)}, got ${quote(value)}`);
}

function describe(rule: Extract<Rule, { type: 'number' }>): string {
  const what = rule.integer ? 'a whole number' : 'a number';
  if (rule.max === undefined) return `${what} ${rule.minOpen ? '>' : '>='} ${rule.min}`;
  return `${what} in ${rule.minOpen ? '(' : '['}${rule.min}, ${rule.max}${rule.maxOpen ? ')' : ']'}`;
}

const MAX_LISTED = 40;

/** The error for a key the section does not have: the known keys, the closest first, at most 40 of them. */
export function unknownKey(section: string, key: string, known: readonly string[]): UsageError {
  const ranked = [...known].sort((a, b) => distance(key, a) - distance(key, b));
  const close = ranked.length > 0 && distance(key, ranked[0]) <= Math.max(2, ranked[0].length / 3) ? ranked[0] : null;
  const listed = [...known].sort().slice(0, MAX_LISTED).join(', ');
  const more = known.length > MAX_LISTED ? ` and ${known.length - MAX_LISTED} more` : '';
  return new UsageError(
    `--set: unknown key ${quote(`${section}.${key}`)}${close === null ? '' : ` (did you mean ${section}.${close}?)`}; ` +
      `the ${section} keys are ${listed}${more}`,
  );
}

/** A user's text in an error: JSON-quoted (so control characters show as escapes) and cut at 60 characters. */
export function quote(value: unknown): string {
  const text =
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Edit distance, case-insensitive, for suggesting the key the user probably meant. */
function distance(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++)
      row.push(Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1)));
    previous = row;
  }
  return previous[y.length];
}
