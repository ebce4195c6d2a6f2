// What an attention kind declares about itself, in its own file: its settings (each with a range and a
// default), whether its queries can be causal, whether it can decode over a key/value cache, whether
// it replaces the feed-forward sub-layer, and how its mechanism is built. The registry and the spec
// validation are built from these declarations; nothing else lists the kinds or their settings.

import { InputError } from '../../errors.js';
import type { AttentionMechanism, MechanismContext, MechanismKind } from './mechanism.js';

export class AttentionSpecError extends InputError {}

export interface IntegerField {
  readonly type: 'integer';
  readonly min: number;
  readonly default: number;
}
export interface NumberField {
  readonly type: 'number';
  readonly min: number;
  readonly default: number;
}
export interface FlagField {
  readonly type: 'flag';
  readonly default: boolean;
}
export type Field = IntegerField | NumberField | FlagField;
export type Fields = Readonly<Record<string, Field>>;

/** An integer setting >= min. */
export const integer = (min: number, fallback: number): IntegerField => ({ type: 'integer', min, default: fallback });
/** A real setting >= min. */
export const real = (min: number, fallback: number): NumberField => ({ type: 'number', min, default: fallback });
/** A true-or-false setting. */
export const flag = (fallback: boolean): FlagField => ({ type: 'flag', default: fallback });

type Value<F extends Field> = F extends FlagField ? boolean : number;

/** A spec of kind N with every setting present: what validation returns and the kind's mechanism reads. */
export type Settled<N extends string, F extends Fields> = { kind: N } & { -readonly [P in keyof F]: Value<F[P]> };
/** A spec of kind N as config.json holds it: settings left out take their defaults. */
export type Written<N extends string, F extends Fields> = { kind: N } & { -readonly [P in keyof F]?: Value<F[P]> };

/** What a kind's file writes. */
export interface KindDeclaration<N extends string, F extends Fields> {
  readonly name: N;
  /** Its settings, with their ranges and defaults. */
  readonly fields: F;
  /** Whether it can keep each query from the keys after it (decoder self-attention). */
  readonly causal: boolean;
  /** Whether decoding step by step over a key/value cache gives the outputs of the full pass. */
  readonly kvCache: boolean;
  /** Whether a layer with this attention drops its feed-forward sub-layer; never when absent. */
  replacesFeedForward?(spec: NoInfer<Settled<N, F>>): boolean;
  create(spec: NoInfer<Settled<N, F>>, context: MechanismContext): AttentionMechanism;
}

/** A declaration as the registry, the validation and a mechanism read it, whatever the kind's settings. */
export interface KindTraits extends MechanismKind {
  readonly fields: Fields;
  /**
   * The spec with every default filled in; another kind, unknown settings and values out of range are
   * errors naming `where` and the setting.
   */
  settle(written: object, where?: string): object;
  create(spec: object, context: MechanismContext): AttentionMechanism;
}

export interface AttentionKind<N extends string, F extends Fields> extends KindTraits {
  readonly name: N;
  readonly fields: F;
  replacesFeedForward(spec: Settled<N, F>): boolean;
  settle(written: object, where?: string): Settled<N, F>;
  create(spec: Settled<N, F>, context: MechanismContext): AttentionMechanism;
}

/** The settled spec of a kind declaration (a union of them for a union of declarations). */
export type SpecOf<K> = K extends AttentionKind<infer N, infer F> ? Settled<N, F> : never;
/** The written spec of a kind declaration (a union of them for a union of declarations). */
export type WrittenSpecOf<K> = K extends AttentionKind<infer N, infer F> ? Written<N, F> : never;

export function defineKind<N extends string, F extends Fields>(
  declaration: KindDeclaration<N, F>,
): AttentionKind<N, F> {
  const { name, fields, causal, kvCache } = declaration;
  return {
    name,
    fields,
    causal,
    kvCache,
    replacesFeedForward: (spec) => declaration.replacesFeedForward?.(spec) ?? false,
    settle: (written, where = 'attention') => settle(name, fields, written as Record<string, unknown>, where),
    create: (spec, context) => declaration.create(spec, context),
  };
}

function settle<N extends string, F extends Fields>(
  name: N,
  fields: F,
  written: Record<string, unknown>,
  where: string,
): Settled<N, F> {
  if (written.kind !== name)
    throw new AttentionSpecError(`${where}.kind must be "${name}" here, got ${JSON.stringify(written.kind)}`);
  const names = Object.keys(fields);
  for (const key of Object.keys(written))
    if (key !== 'kind' && !names.includes(key))
      throw new AttentionSpecError(
        `${where}.${key} is not a setting of "${name}" attention` +
          (names.length > 0 ? `; it takes ${names.join(', ')}` : '; it takes none'),
      );
  const spec: Record<string, unknown> = { kind: name };
  for (const [key, field] of Object.entries(fields)) {
    const value = written[key] ?? field.default;
    checkValue(field, value, `${where}.${key}`);
    spec[key] = value;
  }
  return spec as Settled<N, F>;
}

function checkValue(field: Field, value: unknown, where: string): void {
  const got = JSON.stringify(value);
  if (field.type === 'flag') {
    if (typeof value !== 'boolean') throw new AttentionSpecError(`${where} must be true or false, got ${got}`);
  } else if (field.type === 'number') {
    if (typeof value !== 'number' || !(value >= field.min))
      throw new AttentionSpecError(`${where} must be a number >= ${field.min}, got ${got}`);
  } else if (typeof value !== 'number' || !Number.isInteger(value) || value < field.min)
    throw new AttentionSpecError(`${where} must be an integer >= ${field.min}, got ${got}`);
}
