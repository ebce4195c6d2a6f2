// Which attention a layer computes: the paper's full attention or one of its cheaper descendants.
// A spec is plain JSON in config.json ("attention" for every self-attention layer, "layerAttention"
// for single layers), checked here field by field against its kind's declaration.

import { AttentionSpecError, type SpecOf, type WrittenSpecOf } from './kind.js';
import { attentionKind, KINDS } from './registry.js';

export { AttentionSpecError };

type Kind = (typeof KINDS)[number];

export type AttentionKindName = Kind['name'];

export const ATTENTION_KINDS: readonly AttentionKindName[] = KINDS.map((kind) => kind.name);

/** A spec as config.json holds it, discriminated by `kind`: settings left out take their defaults. */
export type AttentionSpec = WrittenSpecOf<Kind>;

/** A spec with every setting of its kind present, as validateAttentionSpec returns it. */
export type SettledAttentionSpec = SpecOf<Kind>;

/** Kinds whose queries may be causal (each query sees only keys at or before it). */
export const CAUSAL_KINDS: ReadonlySet<AttentionKindName> = new Set(
  KINDS.filter((kind) => kind.causal).map((kind) => kind.name),
);

/** A complete spec: defaults filled in; unknown kinds, unknown fields and bad values are errors naming `where`. */
export function validateAttentionSpec(raw: unknown, where: string): SettledAttentionSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new AttentionSpecError(`${where} must be an object like {"kind": "local", "window": 64}`);
  const name = (raw as { kind?: unknown }).kind;
  const kind = attentionKind(name);
  if (kind === undefined)
    throw new AttentionSpecError(
      `${where}.kind must be one of ${ATTENTION_KINDS.join(', ')}, got ${JSON.stringify(name)}`,
    );
  return kind.settle(raw, where) as SettledAttentionSpec; // the kind named by the spec settles it
}
