// Attention over a fixed sparse pattern (local, dilated, strided, block-global), computed sparsely:
// time and memory grow with the attended pairs, not with Tq * Tk behind a mask.

import * as T from '../../tensor/index.js';
import type { SparsePattern } from '../../tensor/index.js';
import { denseCopyIfNeeded } from '../../tensor/ops/util.js';
import { AttentionMechanism, type AttendInputs, type AttendResult, type MechanismContext } from './mechanism.js';
import { bandPattern, blockGlobalPattern, stridedPattern, withKeyPadding } from './patterns.js';
import { validateAttentionSpec, type AttentionSpec } from './spec.js';

// Patterns by (Tq, Tk, causal): a training run meets a few lengths; decoding meets a new Tk each step.
const CACHED_PATTERNS = 8;

export class SparsePatternAttention extends AttentionMechanism {
  private readonly patterns = new Map<string, SparsePattern>();
  /** The spec with every default filled in. */
  private readonly settings: AttentionSpec;

  constructor(
    readonly spec: AttentionSpec,
    readonly context: MechanismContext,
  ) {
    super();
    this.settings = validateAttentionSpec(spec, 'attention');
  }

  /** The pattern this kind gives queries (Tq) over keys (Tk), before padding. */
  pattern(Tq: number, Tk: number, causal: boolean): SparsePattern {
    const key = `${Tq},${Tk},${causal}`;
    let pattern = this.patterns.get(key);
    if (pattern === undefined) {
      pattern = this.build(Tq, Tk, causal);
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

  private build(Tq: number, Tk: number, causal: boolean): SparsePattern {
    const n = (key: keyof AttentionSpec): number => this.settings[key] as number;
    switch (this.settings.kind) {
      case 'local':
        return bandPattern(Tq, Tk, { window: n('window'), causal });
      case 'dilated':
        return bandPattern(Tq, Tk, { window: n('window'), dilation: n('dilation'), causal });
      case 'strided':
        return stridedPattern(Tq, Tk, { stride: n('stride'), causal });
      case 'block-global':
        return blockGlobalPattern(Tq, Tk, {
          blockSize: n('blockSize'),
          globalTokens: n('globalTokens'),
          randomBlocks: n('randomBlocks'),
          seed: n('seed'),
          causal,
        });
      default:
        throw new Error(`"${this.settings.kind}" is not a sparse pattern kind`);
    }
  }
}
