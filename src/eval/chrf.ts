// chrF (Popović, 2015) and chrF++ (Popović, 2017) as sacreBLEU 2.6 computes them: character n-gram
// F-beta, optionally with word n-grams, averaged over the orders both sides have n-grams of.

import { formatSignature } from './signature.js';
import { checkStreams, refCount, segmentReferences } from './streams.js';
import { pySplit } from './whitespace.js';

/** sacreBLEU's chrF settings: character and word n-gram orders, beta, whitespace. */
export interface ChrfOptions {
  /** Character n-gram order; default 6. */
  charOrder?: number;
  /** Word n-gram order; default 0 (chrF), 2 gives chrF++. */
  wordOrder?: number;
  /** Recall weighs beta times as much as precision; default 2. */
  beta?: number;
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams; default false. */
  whitespace?: boolean;
  /** chrF++.py's epsilon smoothing instead of sacreBLEU's effective order; default false. */
  epsSmoothing?: boolean;
}

/** A chrF score with its settings. */
export interface ChrfScore {
  /** "chrF2", or "chrF2++" with word order 2. */
  name: string;
  /** 0..100. */
  score: number;
  /** Summed [hypothesis, reference, matched] n-gram counts, character orders then word orders. */
  statistics: number[];
  signature: string;
}

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'); // Python's string.punctuation

/** Words with one punctuation mark split off the end, or else the start (as chrF++.py does). */
function chrfWords(line: string): string[] {
  const words: string[] = [];
  for (const w of pySplit(line)) {
    const chars = Array.from(w);
    if (chars.length === 1) words.push(w);
    else if (PUNCTUATION.has(chars[chars.length - 1])) words.push(chars.slice(0, -1).join(''), chars[chars.length - 1]);
    else if (PUNCTUATION.has(chars[0])) words.push(chars[0], chars.slice(1).join(''));
    else words.push(w);
  }
  return words;
}

/** N-gram counts of characters (joined as they were) or words (joined with a space, which no word holds). */
function count(items: string[], n: number, join: '' | ' '): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= items.length; i++) {
    const key = n === 1 ? items[i] : items.slice(i, i + n).join(join);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The n-gram counts of every order: characters (code points) 1..charOrder, then words 1..wordOrder. */
function ngrams(line: string, o: Required<ChrfOptions>): Map<string, number>[] {
  const chars = Array.from(o.whitespace ? line : pySplit(line).join(''));
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= o.charOrder; n++) out.push(count(chars, n, ''));
  const words = o.wordOrder > 0 ? chrfWords(line) : [];
  for (let n = 1; n <= o.wordOrder; n++) out.push(count(words, n, ' '));
  return out;
}

function matchStatistics(hyp: Map<string, number>, ref: Map<string, number>): [number, number, number] {
  let hypCount = 0;
  let matched = 0;
  for (const [g, c] of hyp) {
    hypCount += c;
    matched += Math.min(c, ref.get(g) ?? 0);
  }
  let refCount = 0;
  for (const c of ref.values()) refCount += c;
  return [ref.size > 0 ? hypCount : 0, refCount, matched]; // no reference n-grams: no hypothesis ones count
}

/** The F-beta score (0..100) of [hyp, ref, match] triples, one per order. */
function fScore(stats: readonly number[], o: Required<ChrfOptions>): number {
  const eps = 1e-16;
  const factor = o.beta ** 2;
  const orders = stats.length / 3;
  let epsScore = 0;
  let avgPrec = 0;
  let avgRec = 0;
  let effectiveOrder = 0;
  for (let i = 0; i < orders; i++) {
    const [nHyp, nRef, nMatch] = stats.slice(3 * i, 3 * i + 3);
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    epsScore += denom > 0 ? ((1 + factor) * prec * rec) / denom : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effectiveOrder++;
    }
  }
  if (o.epsSmoothing) return (100 * epsScore) / orders;
  if (effectiveOrder === 0) return 0;
  avgPrec /= effectiveOrder;
  avgRec /= effectiveOrder;
  if (avgPrec + avgRec === 0) return 0;
  return 100 * (((1 + factor) * avgPrec * avgRec) / (factor * avgPrec + avgRec));
}

function resolve(options: ChrfOptions): Required<ChrfOptions> {
  return {
    charOrder: options.charOrder ?? 6,
    wordOrder: options.wordOrder ?? 0,
    beta: options.beta ?? 2,
    lowercase: options.lowercase ?? false,
    whitespace: options.whitespace ?? false,
    epsSmoothing: options.epsSmoothing ?? false,
  };
}

/** sacreBLEU's signature, e.g. "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0". */
export function chrfSignature(nrefs: number | 'var', options: ChrfOptions = {}): string {
  const o = resolve(options);
  return formatSignature(nrefs, {
    case: o.lowercase ? 'lc' : 'mixed',
    eff: o.epsSmoothing ? 'no' : 'yes',
    nc: o.charOrder,
    nw: o.wordOrder,
    space: o.whitespace ? 'yes' : 'no',
  });
}

/** Corpus chrF: per segment the statistics of the reference with the best F-score, summed. */
export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: ChrfOptions = {},
): ChrfScore {
  const o = resolve(options);
  checkStreams(hypotheses, references);
  const prepare = (s: string) => ngrams(o.lowercase ? s.toLowerCase() : s, o);
  const totals = new Array<number>(3 * (o.charOrder + o.wordOrder)).fill(0);
  const perSegment: number[] = [];
  hypotheses.forEach((hypothesis, i) => {
    const refs = segmentReferences(references, i);
    perSegment.push(refs.length);
    const hyp = prepare(hypothesis);
    let best: number[] = [];
    let bestF = -1;
    for (const ref of refs.map(prepare)) {
      const stats = hyp.flatMap((h, k) => matchStatistics(h, ref[k]));
      const f = fScore(stats, o);
      if (f > bestF) [best, bestF] = [stats, f];
    }
    best.forEach((v, k) => (totals[k] += v));
  });
  return {
    name: `chrF${o.beta}${'+'.repeat(o.wordOrder)}`,
    score: fScore(totals, o),
    statistics: totals,
    signature: chrfSignature(refCount(perSegment, references.length), options),
  };
}

/** chrF of one sentence against its references. */
export function sentenceChrf(hypothesis: string, references: readonly string[], options: ChrfOptions = {}): ChrfScore {
  return corpusChrf(
    [hypothesis],
    references.map((r) => [r]),
    options,
  );
}
