// Which attention a layer computes: the paper's full attention or one of its cheaper descendants.
// A spec is plain JSON in config.json ("attention" for every self-attention layer, "layerAttention"
// for single layers), checked here field by field.

import { InputError } from '../../errors.js';

export const ATTENTION_KINDS = [
  'full',
  'local', // band: key j within `window` positions of query i (Longformer's sliding window)
  'dilated', // band with gaps: |i - j| = d * dilation for d <= window
  'strided', // Sparse Transformer: the previous `stride` positions and every stride-th one before
  'block-global', // BigBird: blocks of `blockSize` see their neighbour blocks, `globalTokens`, `randomBlocks`
  'routing', // Routing Transformer: online k-means over queries and keys, attention within a cluster
  'linear', // Katharopoulos et al.: feature map elu(x) + 1, causal as a running sum
  'linformer', // keys and values projected along the length to `projectedLength`
  'pooling', // keys and values average-pooled with stride `poolSize` (memory compression)
  'inducing', // Set Transformer ISAB / Luna: `inducingPoints` learned queries pack the sequence, which then attends to them
  'adaptive-span', // a learned soft span per head (Sukhbaatar et al. 2019) with an L1 penalty
  'persistent-memory', // `memorySlots` learned key/value slots in every layer (all-attention)
] as const;

export type AttentionKindName = (typeof ATTENTION_KINDS)[number];

export interface AttentionSpec {
  kind: AttentionKindName;
  /** local, dilated: keys at distance <= window (causal: the window before and at the query). */
  window?: number;
  /** dilated: the gap between attended keys. */
  dilation?: number;
  /** strided: the period. */
  stride?: number;
  /** block-global: block length. */
  blockSize?: number;
  /** block-global: the first globalTokens positions attend everywhere and are attended by every query. */
  globalTokens?: number;
  /** block-global: random key blocks per query block (BigBird); drawn from `seed`. */
  randomBlocks?: number;
  seed?: number;
  /** routing: number of k-means clusters. */
  clusters?: number;
  /** linformer: the projected length k. */
  projectedLength?: number;
  /** pooling: the pooling stride. */
  poolSize?: number;
  /** inducing: the number of inducing points (packed length). */
  inducingPoints?: number;
  /** adaptive-span: the largest span, the ramp of the soft mask, and the L1 penalty's weight. */
  maxSpan?: number;
  spanRamp?: number;
  spanPenalty?: number;
  /** persistent-memory: learned key/value slots per head. */
  memorySlots?: number;
  /** persistent-memory: drop the feed-forward sub-layer ("all-attention"); the slots take its place. */
  noFeedForward?: boolean;
}

export class AttentionSpecError extends InputError {}

/** The fields each kind takes, with their defaults (undefined: required). */
const FIELDS: Record<AttentionKindName, Record<string, number | boolean | undefined>> = {
  full: {},
  local: { window: 64 },
  dilated: { window: 32, dilation: 2 },
  strided: { stride: 64 },
  'block-global': { blockSize: 64, globalTokens: 1, randomBlocks: 0, seed: 0 },
  routing: { clusters: 8 },
  linear: {},
  linformer: { projectedLength: 64 },
  pooling: { poolSize: 4 },
  inducing: { inducingPoints: 32 },
  'adaptive-span': { maxSpan: 256, spanRamp: 32, spanPenalty: 2e-6 },
  'persistent-memory': { memorySlots: 16, noFeedForward: false },
};

/** A complete spec: defaults filled in; unknown kinds, unknown fields and bad values are errors naming `where`. */
export function validateAttentionSpec(raw: unknown, where: string): AttentionSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new AttentionSpecError(`${where} must be an object like {"kind": "local", "window": 64}`);
  const fields = raw as Record<string, unknown>;
  const kind = fields.kind as AttentionKindName;
  if (!ATTENTION_KINDS.includes(kind))
    throw new AttentionSpecError(
      `${where}.kind must be one of ${ATTENTION_KINDS.join(', ')}, got ${JSON.stringify(fields.kind)}`,
    );
  const allowed = FIELDS[kind];
  const spec: Record<string, unknown> = { kind };
  for (const key of Object.keys(fields)) {
    if (key === 'kind') continue;
    if (!(key in allowed))
      throw new AttentionSpecError(
        `${where}.${key} is not a setting of "${kind}" attention` +
          (Object.keys(allowed).length ? `; it takes ${Object.keys(allowed).join(', ')}` : '; it takes none'),
      );
  }
  for (const [key, fallback] of Object.entries(allowed)) {
    const value = fields[key] ?? fallback;
    if (typeof fallback === 'boolean') {
      if (typeof value !== 'boolean')
        throw new AttentionSpecError(`${where}.${key} must be true or false, got ${JSON.stringify(value)}`);
    } else if (key === 'spanPenalty') {
      if (typeof value !== 'number' || !(value >= 0))
        throw new AttentionSpecError(`${where}.${key} must be a number >= 0, got ${JSON.stringify(value)}`);
    } else {
      const min =
        key === 'globalTokens' || key === 'randomBlocks' || key === 'seed' ? 0 : key === 'memorySlots' ? 0 : 1;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
        throw new AttentionSpecError(`${where}.${key} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    }
    spec[key] = value;
  }
  return spec as unknown as AttentionSpec;
}

/** Kinds whose queries may be causal (each query sees only keys at or before it). */
export const CAUSAL_KINDS: ReadonlySet<AttentionKindName> = new Set([
  'full',
  'local',
  'dilated',
  'strided',
  'block-global',
  'routing',
  'linear',
  'adaptive-span',
  'persistent-memory',
]);
