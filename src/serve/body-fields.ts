// Checks of a JSON request body's fields, each refusal a 400 (the body's shape) or a 422 (a field's
// value) naming the field and what it must be.

import { HttpError } from './http.js';

/** The body as an object holding only the known fields. */
export function objectBody(body: unknown, fields: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, `the body must be a JSON object with the fields ${fields.join(', ')}`);
  const object = body as Record<string, unknown>;
  for (const key of Object.keys(object))
    if (!fields.includes(key)) throw new HttpError(400, `unknown field "${key}"; expected ${fields.join(', ')}`, key);
  return object;
}

/** A non-empty string. */
export function textField(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new HttpError(422, `${name} must be a string`, name);
  if (value.trim() === '') throw new HttpError(422, `${name} is empty`, name);
  return value;
}

export function integerField(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new HttpError(422, `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, name);
  return value;
}

/** A number in [min, max] (or (min, max] when minOpen). */
export function numberField(name: string, value: unknown, min: number, max: number, minOpen = false): number {
  const ok = typeof value === 'number' && (minOpen ? value > min : value >= min) && value <= max;
  if (!ok) {
    const range = minOpen ? `above ${min} and at most ${max}` : `from ${min} to ${max}`;
    throw new HttpError(422, `${name} must be a number ${range}, got ${JSON.stringify(value)}`, name);
  }
  return value as number;
}

export function booleanField(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new HttpError(422, `${name} must be true or false, got ${JSON.stringify(value)}`, name);
  return value;
}
