// A max-heap of symbol pairs keyed by (count, first, second): the order in which BPE merges.

/** Orders two pairs of equal count; positive when (a1, a2) should be merged before (b1, b2). */
export type PairOrder = (a: number, b: number) => number;

/**
 * Lazy max-heap: an entry is (pair key, count at push time). Entries go stale when a count
 * changes; the learner re-checks the count on pop, so decreases need no work here.
 */
export class PairHeap {
  private keys: number[] = [];
  private counts: number[] = [];

  constructor(private readonly tieBreak: PairOrder) {}

  get size(): number {
    return this.keys.length;
  }

  push(key: number, count: number): void {
    this.keys.push(key);
    this.counts.push(count);
    this.up(this.keys.length - 1);
  }

  /** Removes the top entry and returns its key; read its count first with `topCount`. */
  pop(): number {
    const top = this.keys[0];
    const lastKey = this.keys.pop()!;
    const lastCount = this.counts.pop()!;
    if (this.keys.length > 0) {
      this.keys[0] = lastKey;
      this.counts[0] = lastCount;
      this.down(0);
    }
    return top;
  }

  topCount(): number {
    return this.counts[0];
  }

  private before(i: number, j: number): boolean {
    const d = this.counts[i] - this.counts[j];
    return d !== 0 ? d > 0 : this.tieBreak(this.keys[i], this.keys[j]) > 0;
  }

  private swap(i: number, j: number): void {
    const k = this.keys[i];
    this.keys[i] = this.keys[j];
    this.keys[j] = k;
    const c = this.counts[i];
    this.counts[i] = this.counts[j];
    this.counts[j] = c;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.keys.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      let best = l;
      if (l + 1 < n && this.before(l + 1, l)) best = l + 1;
      if (!this.before(best, i)) return;
      this.swap(i, best);
      i = best;
    }
  }
}
