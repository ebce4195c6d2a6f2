// BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.6 computes it: clipped n-gram counts against
// every reference, the closest reference length per segment, four smoothing methods, effective order.

import { formatFixed } from './format.js';
import { formatSignature } from './signature.js';
import { checkStreams, refCount, segmentReferences } from './streams.js';
import { tokenizer, type TokenizerName } from './tokenizers.js';
import { pyRstrip, pySplit } from './whitespace.js';

/** One of sacreBLEU's smoothing methods. */
export type SmoothMethod = 'none' | 'floor' | 'add-k' | 'exp';
/** sacreBLEU's smoothing methods. */
export const SMOOTH_METHODS: readonly SmoothMethod[] = ['none', 'floor', 'add-k', 'exp'];

/** The values `floor` and `add-k` use when none is given (Chen and Cherry, 2014). */
const SMOOTH_DEFAULTS: Record<SmoothMethod, number | null> = { none: null, floor: 0.1, 'add-k': 1, exp: null };

/** sacreBLEU's BLEU settings: tokenizer, smoothing, lowercasing, effective order. */
export interface BleuOptions {
  /** Default "13a". */
  tokenize?: TokenizerName;
  lowercase?: boolean;
  /** Default "exp" (mteval-v13a's). */
  smoothMethod?: SmoothMethod;
  /** For floor (default 0.1) and add-k (default 1). */
  smoothValue?: number;
  /** Default 4. */
  maxNgramOrder?: number;
  /** Average only over the orders the hypothesis has n-grams of. Default false (true for sentenceBleu). */
  effectiveOrder?: boolean;
}

/** The sufficient statistics: summed over segments, a corpus's BLEU is a function of these alone. */
export interface BleuStatistics {
  sysLen: number;
  refLen: number;
  /** Clipped matches of each order 1..maxNgramOrder. */
  correct: number[];
  /** Hypothesis n-grams of each order. */
  total: number[];
  /** References per segment, or "var". */
  nrefs: number | 'var';
}

/** A BLEU score with its n-gram precisions, brevity penalty and lengths, as sacreBLEU reports them. */
export interface BleuScore {
  /** 0..100. */
  score: number;
  /** As sacreBLEU reports them: with add-k smoothing, orders above 1 include k. */
  counts: number[];
  totals: number[];
  /** Percentages, after smoothing. */
  precisions: number[];
  bp: number;
  ratio: number;
  sysLen: number;
  refLen: number;
  signature: string;
}

type Resolved = Required<Omit<BleuOptions, 'smoothValue'>> & { smoothValue: number | null };

function resolve(options: BleuOptions): Resolved {
  const smoothMethod = options.smoothMethod ?? 'exp';
  if (!SMOOTH_METHODS.includes(smoothMethod)) throw new Error(`unknown smoothing method "${smoothMethod}"`);
  return {
    tokenize: options.tokenize ?? '13a',
    lowercase: options.lowercase ?? false,
    smoothMethod,
    smoothValue: options.smoothValue ?? SMOOTH_DEFAULTS[smoothMethod],
    maxNgramOrder: options.maxNgramOrder ?? 4,
    effectiveOrder: options.effectiveOrder ?? false,
  };
}

/** Counts of the n-grams of each order 1..maxOrder, keyed by their tokens joined with spaces. */
function countNgrams(tokens: string[], maxOrder: number): Map<string, number>[] {
  const orders: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' ');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    orders.push(counts);
  }
  return orders;
}

/** The reference length closest to the hypothesis length; ties go to the shorter reference. */
export function closestRefLen(hypLen: number, refLens: readonly number[]): number {
  let best = refLens[0];
  for (const len of refLens) {
    const d = Math.abs(hypLen - len);
    const bestD = Math.abs(hypLen - best);
    if (d < bestD || (d === bestD && len < best)) best = len;
  }
  return best;
}

/** Summed statistics of a corpus; `references[k][i]` is the k-th reference of hypothesis i. */
export function bleuStatistics(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuStatistics {
  const o = resolve(options);
  checkStreams(hypotheses, references);
  const tok = tokenizer(o.tokenize);
  const words = (s: string) => pySplit(tok(pyRstrip(o.lowercase ? s.toLowerCase() : s)));
  const N = o.maxNgramOrder;
  const stats = { sysLen: 0, refLen: 0, correct: new Array<number>(N).fill(0), total: new Array<number>(N).fill(0) };
  const perSegment: number[] = [];
  hypotheses.forEach((hypothesis, i) => {
    const refs = segmentReferences(references, i).map(words);
    perSegment.push(refs.length);
    const maxRef = new Map<string, number>(); // each n-gram's largest count in any one reference
    for (const ref of refs) {
      for (const counts of countNgrams(ref, N))
        for (const [g, c] of counts) if (c > (maxRef.get(g) ?? 0)) maxRef.set(g, c);
    }
    const hyp = words(hypothesis);
    stats.sysLen += hyp.length;
    stats.refLen += closestRefLen(
      hyp.length,
      refs.map((r) => r.length),
    );
    countNgrams(hyp, N).forEach((counts, n) => {
      for (const [g, c] of counts) {
        stats.total[n] += c;
        stats.correct[n] += Math.min(c, maxRef.get(g) ?? 0);
      }
    });
  });
  return { ...stats, nrefs: refCount(perSegment, references.length) };
}

/** sacreBLEU's signature, e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0". */
export function bleuSignature(nrefs: number | 'var', options: BleuOptions = {}): string {
  const o = resolve(options);
  const smooth = o.smoothValue === null ? o.smoothMethod : `${o.smoothMethod}[${formatFixed(o.smoothValue, 2)}]`;
  return formatSignature(nrefs, {
    case: o.lowercase ? 'lc' : 'mixed',
    eff: o.effectiveOrder ? 'yes' : 'no',
    tok: o.tokenize,
    smooth,
  });
}

const log = (x: number) => (x === 0 ? -9999999999 : Math.log(x)); // sacreBLEU's floored log

/** BLEU from summed statistics, with sacreBLEU's smoothing and effective-order rules. */
export function computeBleu(stats: BleuStatistics, options: BleuOptions = {}): BleuScore {
  const o = resolve(options);
  const { sysLen, refLen } = stats;
  const correct = [...stats.correct];
  const total = [...stats.total];
  const N = o.maxNgramOrder;
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(N).fill(0);
  const result = (score: number): BleuScore => ({
    score,
    counts: correct,
    totals: total,
    precisions,
    bp,
    ratio: refLen ? sysLen / refLen : 0,
    sysLen,
    refLen,
    signature: bleuSignature(stats.nrefs, options),
  });
  if (!correct.some((c) => c !== 0)) return result(0);
  let smoothMteval = 1;
  let effOrder = N;
  for (let n = 1; n <= N; n++) {
    if (o.smoothMethod === 'add-k' && n > 1) {
      correct[n - 1] += o.smoothValue!;
      total[n - 1] += o.smoothValue!;
    }
    if (total[n - 1] === 0) break;
    if (o.effectiveOrder) effOrder = n;
    if (correct[n - 1] === 0) {
      if (o.smoothMethod === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * total[n - 1]);
      } else if (o.smoothMethod === 'floor') {
        precisions[n - 1] = (100 * o.smoothValue!) / total[n - 1];
      }
    } else {
      precisions[n - 1] = (100 * correct[n - 1]) / total[n - 1];
    }
  }
  let sum = 0;
  for (let n = 0; n < effOrder; n++) sum += log(precisions[n]);
  return result(bp * Math.exp(sum / effOrder));
}

/** Corpus BLEU; sacreBLEU's corpus_bleu defaults (13a, exp smoothing, no effective order). */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuScore {
  return computeBleu(bleuStatistics(hypotheses, references, options), options);
}

/** One sentence against its references; sacreBLEU's sentence_bleu defaults (effective order on). */
export function sentenceBleu(hypothesis: string, references: readonly string[], options: BleuOptions = {}): BleuScore {
  const o = { ...options, effectiveOrder: options.effectiveOrder ?? true };
  const stats = bleuStatistics(
    [hypothesis],
    references.map((r) => [r]),
    o,
  );
  return computeBleu(stats, o);
}
