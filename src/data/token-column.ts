// Token ids of one side of a corpus, stored compactly: every id in one typed array, and offsets so
// that sentence i is ids[offsets[i], offsets[i + 1]). No array of arrays, so millions of sentences
// cost a few bytes per token and nothing per sentence but one offset.

export interface TokenColumn {
  /** All ids, sentence after sentence: Uint16Array when every id is below 65,536. */
  ids: Int32Array | Uint16Array;
  /** n + 1 offsets into `ids`. */
  offsets: Int32Array;
}

export function sentenceCount(column: TokenColumn): number {
  return column.offsets.length - 1;
}

export function sentenceLength(column: TokenColumn, i: number): number {
  return column.offsets[i + 1] - column.offsets[i];
}

export function sentence(column: TokenColumn, i: number): Int32Array | Uint16Array {
  return column.ids.subarray(column.offsets[i], column.offsets[i + 1]);
}

/** Appends sentences to growing typed arrays (doubling), then trims them to a TokenColumn. */
export class TokenColumnBuilder {
  private ids: Int32Array = new Int32Array(1024);
  private offsets: Int32Array = new Int32Array(256);
  private tokens = 0;
  private sentences = 0;
  private maxId = 0;

  add(sentenceIds: ArrayLike<number>): void {
    if (this.tokens + sentenceIds.length > this.ids.length) {
      this.ids = grow(this.ids, this.tokens + sentenceIds.length);
    }
    for (let k = 0; k < sentenceIds.length; k++) {
      const id = sentenceIds[k];
      if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff)
        throw new RangeError(`token id ${id} is not a non-negative int32`);
      if (id > this.maxId) this.maxId = id;
      this.ids[this.tokens + k] = id;
    }
    this.tokens += sentenceIds.length;
    this.sentences++;
    if (this.sentences + 1 > this.offsets.length) this.offsets = grow(this.offsets, this.sentences + 1);
    this.offsets[this.sentences] = this.tokens;
  }

  finish(): TokenColumn {
    const ids = this.ids.subarray(0, this.tokens);
    return {
      ids: this.maxId < 0x10000 ? Uint16Array.from(ids) : ids.slice(),
      offsets: this.offsets.slice(0, this.sentences + 1),
    };
  }
}

function grow(a: Int32Array, atLeast: number): Int32Array {
  const b = new Int32Array(Math.max(atLeast, a.length * 2));
  b.set(a);
  return b;
}
