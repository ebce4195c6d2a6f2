// The sparse attention patterns as pure functions of (Tq, Tk): Longformer's sliding window (plain and
// dilated), the Sparse Transformer's strided pattern (Child et al. 2019) and BigBird's blocks with
// global and random keys (Zaheer et al. 2020). Query i sits at position pos(i) = i + (Tk - Tq),
// bottom-right aligned as T.attention's causal mask, so a decoding step's single query is the last
// position and sees what the same query saw in the full forward pass.

import type { SparsePattern } from '../../tensor/ops/sparse-attention.js';

export interface BandOptions {
  window: number;
  dilation?: number;
  causal: boolean;
}

export interface StridedOptions {
  stride: number;
  causal: boolean;
}

export interface BlockGlobalOptions {
  blockSize: number;
  globalTokens: number;
  randomBlocks: number;
  seed: number;
  causal: boolean;
}

/** Collects rows of ascending key lists into a single-group pattern. */
class PatternBuilder {
  private readonly offsets: Int32Array;
  private indices: Int32Array;
  private length = 0;
  private row = 0;

  constructor(
    readonly rows: number,
    readonly cols: number,
    expectedPairs: number,
  ) {
    this.offsets = new Int32Array(rows + 1);
    this.indices = new Int32Array(Math.max(16, expectedPairs));
  }

  push(j: number): void {
    if (this.length === this.indices.length) {
      const grown = new Int32Array(this.indices.length * 2);
      grown.set(this.indices);
      this.indices = grown;
    }
    this.indices[this.length++] = j;
  }

  /** Every key of [lo, hi] (clipped to the keys). */
  pushRange(lo: number, hi: number): void {
    for (let j = Math.max(0, lo); j <= Math.min(this.cols - 1, hi); j++) this.push(j);
  }

  endRow(): void {
    this.offsets[++this.row] = this.length;
  }

  build(): SparsePattern {
    return {
      rows: this.rows,
      cols: this.cols,
      groups: 1,
      offsets: this.offsets,
      indices: this.indices.slice(0, this.length),
    };
  }
}

function checkSize(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
}

/** Keys j with |pos(i) - j| = d * dilation for d = 0 .. window (causal: j <= pos(i)). */
export function bandPattern(Tq: number, Tk: number, { window, dilation = 1, causal }: BandOptions): SparsePattern {
  checkSize('window', window, 0);
  checkSize('dilation', dilation, 1);
  const builder = new PatternBuilder(Tq, Tk, Tq * (causal ? window + 1 : 2 * window + 1));
  for (let i = 0; i < Tq; i++) {
    const pos = i + Tk - Tq;
    for (let d = -window; d <= (causal ? 0 : window); d++) {
      const j = pos + d * dilation;
      if (j >= 0 && j < Tk) builder.push(j);
    }
    builder.endRow();
  }
  return builder.build();
}

/**
 * Child et al.'s strided pattern: the previous `stride` positions (|pos(i) - j| < stride) and every
 * position a multiple of `stride` away ((pos(i) - j) mod stride = 0); causal keeps j <= pos(i).
 * About n (stride + n / stride) pairs, fewest at stride ~ sqrt(n).
 */
export function stridedPattern(Tq: number, Tk: number, { stride, causal }: StridedOptions): SparsePattern {
  checkSize('stride', stride, 1);
  const perRow = (causal ? 1 : 2) * (stride + Math.ceil(Tk / stride));
  const builder = new PatternBuilder(Tq, Tk, Tq * perRow);
  for (let i = 0; i < Tq; i++) {
    const pos = i + Tk - Tq;
    const first = pos - stride + 1; // the local window is [first, pos] (or [first, pos + stride - 1])
    for (let j = ((pos % stride) + stride) % stride; j < first && j < Tk; j += stride) builder.push(j);
    builder.pushRange(first, causal ? pos : pos + stride - 1);
    if (!causal) for (let j = pos + stride; j < Tk; j += stride) if (j >= 0) builder.push(j);
    builder.endRow();
  }
  return builder.build();
}

/** A small counter-based generator (mulberry32) for BigBird's random blocks. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The random key blocks of query block `queryBlock`: `count` distinct blocks outside its window
 * (blocks queryBlock - 1 .. queryBlock + 1) among blocks [0, keyBlocks); causal draws only from the
 * blocks before the window, so the draw depends on (seed, queryBlock) alone and a decoding step
 * sees the same blocks as the full pass.
 */
export function randomBlocks(
  seed: number,
  queryBlock: number,
  count: number,
  keyBlocks: number,
  causal: boolean,
): number[] {
  const candidates: number[] = [];
  const last = causal ? queryBlock - 2 : keyBlocks - 1;
  for (let c = 0; c <= last; c++) if (Math.abs(c - queryBlock) > 1) candidates.push(c);
  const next = mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(queryBlock + 1, 0xc2b2ae35));
  const chosen: number[] = [];
  // A partial Fisher-Yates shuffle: the first `count` of a random permutation.
  for (let n = 0; n < Math.min(count, candidates.length); n++) {
    const pick = n + Math.floor(next() * (candidates.length - n));
    [candidates[n], candidates[pick]] = [candidates[pick], candidates[n]];
    chosen.push(candidates[n]);
  }
  return chosen.sort((a, b) => a - b);
}

/**
 * BigBird: a query attends the key blocks around its own (blocks of pos(i) - 1, + 0, + 1), the first
 * `globalTokens` keys and `randomBlocks` random key blocks; the first `globalTokens` positions attend
 * every key. Causal keeps j <= pos(i).
 */
export function blockGlobalPattern(Tq: number, Tk: number, options: BlockGlobalOptions): SparsePattern {
  const { blockSize, globalTokens, causal } = options;
  checkSize('blockSize', blockSize, 1);
  checkSize('globalTokens', globalTokens, 0);
  checkSize('randomBlocks', options.randomBlocks, 0);
  const keyBlocks = Math.ceil(Tk / blockSize);
  const perRow = (3 + options.randomBlocks) * blockSize + globalTokens;
  const builder = new PatternBuilder(Tq, Tk, Tq * Math.min(Tk, perRow));
  let drawnFor = Number.NaN; // the query block whose random key ranges are in `drawn`
  let drawn: number[][] = [];
  for (let i = 0; i < Tq; i++) {
    const pos = i + Tk - Tq;
    const last = causal ? Math.min(pos, Tk - 1) : Tk - 1;
    if (pos < globalTokens) {
      builder.pushRange(0, last);
      builder.endRow();
      continue;
    }
    const block = Math.floor(pos / blockSize);
    if (drawnFor !== block) {
      const random = randomBlocks(options.seed, block, options.randomBlocks, keyBlocks, causal);
      drawn = random.map((c) => [c * blockSize, c * blockSize + blockSize - 1]);
      drawnFor = block;
    }
    const ranges = [[0, globalTokens - 1], [(block - 1) * blockSize, (block + 2) * blockSize - 1], ...drawn];
    // Merge the ranges in order of their start and emit the union once.
    ranges.sort((a, b) => a[0] - b[0]);
    let next = 0; // the first key not yet emitted
    for (const [lo, hi] of ranges) {
      builder.pushRange(Math.max(lo, next), Math.min(hi, last));
      next = Math.max(next, hi + 1);
    }
    builder.endRow();
  }
  return builder.build();
}

/**
 * Drops padded keys (keyPadding (B, Tk), 0 = padded). A shared pattern becomes one group per batch
 * row; a per-row (B) or per-head (B*h) pattern keeps its groups.
 */
export function withKeyPadding(
  pattern: SparsePattern,
  keyPadding: Int32Array,
  B: number,
  heads: number,
): SparsePattern {
  const { rows, cols } = pattern;
  if (keyPadding.length !== B * cols)
    throw new RangeError(`keyPadding has ${keyPadding.length} entries, expected B * Tk = ${B * cols}`);
  if (pattern.groups !== 1 && pattern.groups !== B && pattern.groups !== B * heads)
    throw new RangeError(`pattern groups must be 1, B = ${B} or B*h = ${B * heads}, got ${pattern.groups}`);
  const groups = pattern.groups === 1 ? B : pattern.groups;
  const offsets = new Int32Array(groups * (rows + 1));
  const indices = new Int32Array(pairCount(pattern) * (groups / pattern.groups));
  let length = 0;
  for (let g = 0; g < groups; g++) {
    const b = groups === B ? g : Math.floor(g / heads);
    const source = pattern.groups === 1 ? 0 : g;
    for (let r = 0; r < rows; r++) {
      offsets[g * (rows + 1) + r] = length;
      const base = source * (rows + 1) + r;
      for (let p = pattern.offsets[base]; p < pattern.offsets[base + 1]; p++) {
        const j = pattern.indices[p];
        if (keyPadding[b * cols + j] !== 0) indices[length++] = j;
      }
    }
    offsets[g * (rows + 1) + rows] = length;
  }
  return { rows, cols, groups, offsets, indices: indices.slice(0, length) };
}

/** Query-key pairs the pattern lists, summed over its groups (a shared pattern counts once). */
export function pairCount(pattern: SparsePattern): number {
  let pairs = 0;
  for (let g = 0; g < pattern.groups; g++) {
    const base = g * (pattern.rows + 1);
    pairs += pattern.offsets[base + pattern.rows] - pattern.offsets[base];
  }
  return pairs;
}
