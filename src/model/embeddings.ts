// Section 3.4 (Embeddings and Softmax) and 3.5 (Positional Encoding).

import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { normal, xavierUniform } from '../nn/init.js';
import { dropInt8Weight, int8Table } from '../nn/int8.js';
import type { PositionalEncodingKind } from './config.js';

/** Learned token embeddings, multiplied by sqrt(d_model) when `scale` is on. */
export class Embeddings extends Module {
  readonly weight: Tensor; // (V, d)

  constructor(
    readonly vocabSize: number,
    readonly dModel: number,
    readonly scale: boolean,
  ) {
    super();
    this.weight = this.parameter('weight', xavierUniform([vocabSize, dModel]));
  }

  /** Training drops the int8 copy of the weights (quantizeModel), which would no longer follow them. */
  override train(on = true): this {
    if (on) dropInt8Weight(this.weight);
    return super.train(on);
  }

  forward(ids: Tensor): Tensor {
    const x = T.embedding(int8Table(this.weight, this.training) ?? this.weight, ids); // (B, T, d)
    return this.scale ? T.mulScalar(x, Math.sqrt(this.dModel)) : x;
  }
}

/**
 * The fixed sinusoid table: PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(same), or with
 * `halves` all the sines in the first d/2 columns and the cosines in the last d/2.
 */
export function sinusoidTable(length: number, dModel: number, halves: boolean): Float32Array {
  const table = new Float32Array(length * dModel);
  const half = dModel / 2;
  for (let pos = 0; pos < length; pos++) {
    for (let i = 0; i < half; i++) {
      const angle = pos / 10000 ** ((2 * i) / dModel);
      const [sinCol, cosCol] = halves ? [i, half + i] : [2 * i, 2 * i + 1];
      table[pos * dModel + sinCol] = Math.sin(angle);
      table[pos * dModel + cosCol] = Math.cos(angle);
    }
  }
  return table;
}

/** Adds position information to embeddings (B, T, d), starting at position `offset` (decoding). */
export class PositionalEncoding extends Module {
  private readonly table: Tensor; // (maxLength, d): a constant, or a parameter when learned

  constructor(
    readonly kind: PositionalEncodingKind,
    readonly maxLength: number,
    readonly dModel: number,
  ) {
    super();
    if (kind === 'learned') this.table = this.parameter('weight', normal([maxLength, dModel], 0.02));
    else
      this.table = Tensor.from(sinusoidTable(maxLength, dModel, kind === 'sinusoidal-halves'), [
        maxLength,
        dModel,
      ]).keep();
  }

  /** The encodings of positions 0..length-1, row-major (length, d): what the model adds to its embeddings. */
  rows(length: number): Float32Array {
    if (!Number.isInteger(length) || length < 1 || length > this.maxLength)
      throw new RangeError(`length must be an integer from 1 to maxLength ${this.maxLength}, got ${length}`);
    return Float32Array.from(this.table.floats().subarray(0, length * this.dModel));
  }

  /** x (B, T, d) plus the encodings of positions offset.. or, given (B * T) positions, of each token's own. */
  forward(x: Tensor, offset: number | Int32Array = 0): Tensor {
    if (typeof offset !== 'number') return this.forwardAt(x, offset);
    const length = x.shape[1];
    if (offset + length > this.maxLength) {
      throw new RangeError(`sequence of ${offset + length} positions is longer than maxLength ${this.maxLength}`);
    }
    return T.add(x, T.slice(this.table, 0, offset, offset + length)); // (B, T, d)
  }

  private forwardAt(x: Tensor, positions: Int32Array): Tensor {
    const [B, length] = x.shape;
    if (positions.length !== B * length) throw new RangeError(`positions: ${positions.length} for (${B}, ${length})`);
    const last = positions.reduce((a, b) => Math.max(a, b), 0);
    if (last >= this.maxLength || positions.some((p) => p < 0))
      throw new RangeError(`sequence of ${last + 1} positions is longer than maxLength ${this.maxLength}`);
    return T.add(x, T.embedding(this.table, Tensor.from(positions, [B, length]))); // (B, T, d)
  }
}
