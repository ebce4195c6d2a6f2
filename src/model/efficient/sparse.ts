// Attention over a fixed sparse pattern (local, dilated, strided, block-global), computed sparsely:
// time and memory grow with the attended pairs, not with Tq * Tk behind a mask.

import * as T from '../../tensor/index.js';
import type { SparsePattern } from '../../tensor/index.js';
import { denseCopyIfNeeded } from '../../tensor/ops/util.js';
import { defineKind, integer, type KindTraits, type SpecOf } from './kind.js';
import { AttentionMechanism, type AttendInputs, type AttendResult, type MechanismContext } from './mechanism.js';
import { bandPattern, blockGlobalPattern, stridedPattern, withKeyPadding } from './patterns.js';

const create = (spec: { readonly kind: string }, context: MechanismContext): AttentionMechanism =>
  new SparsePatternAttention(spec, context);

/** Longformer's sliding window: keys within `window` positions of the query. */
export const local = defineKind({
  name: 'local',
  fields: { window: integer(1, 64) },
  causal: true,
  kvCache: true,
  create,
});

/** A band with gaps: |i - j| = d * dilation for d <= window. */
export const dilated = defineKind({
  name: 'dilated',
  fields: { window: integer(1, 32), dilation: integer(1, 2) },
  causal: true,
  kvCache: true,
  create,
});

/** The Sparse Transformer's: the previous `stride` positions and every stride-th one before. */
export const strided = defineKind({
  name: 'strided',
  fields: { stride: integer(1, 64) },
  causal: true,
  kvCache: true,
  create,
});

/**
 * BigBird: blocks of `blockSize` see their neighbour blocks, the first `globalTokens` positions (which
 * attend everywhere) and `randomBlocks` random key blocks drawn from `seed`.
 */
export const blockGlobal = defineKind({
  name: 'block-global',
  fields: { blockSize: integer(1, 64), globalTokens: integer(0, 1), randomBlocks: integer(0, 0), seed: integer(0, 0) },
  causal: true,
  kvCache: true,
  create,
});

type PatternSpec = SpecOf<typeof local | typeof dilated | typeof strided | typeof blockGlobal>;

function settle(written: { readonly kind: string }): PatternSpec {
  switch (written.kind) {
    case 'local':
      return local.settle(written);
    case 'dilated':
      return dilated.settle(written);
    case 'strided':
      return strided.settle(written);
    case 'block-global':
      return blockGlobal.settle(written);
  }
  throw new Error(`"${written.kind}" is not a sparse pattern kind`);
}

/** The pattern of queries (Tq) over keys (Tk), before padding. */
function build(spec: PatternSpec, Tq: number, Tk: number, causal: boolean): SparsePattern {
  switch (spec.kind) {
    case 'local':
      return bandPattern(Tq, Tk, { window: spec.window, causal });
    case 'dilated':
      return bandPattern(Tq, Tk, { window: spec.window, dilation: spec.dilation, causal });
    case 'strided':
      return stridedPattern(Tq, Tk, { stride: spec.stride, causal });
    case 'block-global':
      return blockGlobalPattern(Tq, Tk, {
        blockSize: spec.blockSize,
        globalTokens: spec.globalTokens,
        randomBlocks: spec.randomBlocks,
        seed: spec.seed,
        causal,
      });
  }
}

// Patterns by (Tq, Tk, causal): a training run meets a few lengths; decoding meets a new Tk each step.
const CACHED_PATTERNS = 8;

export class SparsePatternAttention extends AttentionMechanism {
  private readonly patterns = new Map<string, SparsePattern>();
  /** Every setting present. */
  readonly spec: PatternSpec;
  readonly kind: KindTraits;

  constructor(
    spec: { readonly kind: string },
    readonly context: MechanismContext,
  ) {
    super();
    this.spec = settle(spec);
    this.kind = { local, dilated, strided, 'block-global': blockGlobal }[this.spec.kind];
  }

  /** The pattern this kind gives queries (Tq) over keys (Tk), before padding. */
  pattern(Tq: number, Tk: number, causal: boolean): SparsePattern {
    const key = `${Tq},${Tk},${causal}`;
    let pattern = this.patterns.get(key);
    if (pattern === undefined) {
      pattern = build(this.spec, Tq, Tk, causal);
      if (this.patterns.size >= CACHED_PATTERNS) this.patterns.delete(this.patterns.keys().next().value as string);
      this.patterns.set(key, pattern);
    }
    return pattern;
  }

  attend(x: AttendInputs): AttendResult {
    if (x.dropout > 0 && x.training)
      throw new Error(
        `sparse attention kinds do not apply attention dropout ("${this.spec.kind}" got ${x.dropout} while training); ` +
          'keep attentionDropout 0 with them',
      );
    const [B, h, Tq] = x.q.shape;
    const Tk = x.k.shape[2];
    let pattern = this.pattern(Tq, Tk, x.causal);
    if (x.keyPadding !== null) {
      const padding = denseCopyIfNeeded(x.keyPadding).ints('keyPadding'); // (B, Tk)
      pattern = withKeyPadding(pattern, padding, B, h);
    }
    const output = T.sparseAttention(x.q, x.k, x.v, pattern); // (B, h, Tq, dV)
    return { output, weights: x.needWeights ? T.sparseAttentionWeights(x.q, x.k, pattern) : null };
  }
}
