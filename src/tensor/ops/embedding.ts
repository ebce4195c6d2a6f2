// Embedding lookup (the paper's section 3.4): rows of a table gathered by id, with a scatter-add
// gradient so that repeated ids accumulate.

import { record } from '../autograd.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { assertFloat, denseCopyIfNeeded, kernels } from './util.js';

/** table (V, d) gathered by int32 ids of any shape: (...ids, d). */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  assertFloat(table, 'embedding', 'table');
  if (table.rank !== 2) throw new RangeError(`embedding: the table must be (V, d), got ${formatShape(table.shape)}`);
  if (ids.dtype !== 'int32') throw new TypeError(`embedding: ids must be int32, got ${ids.dtype}`);
  const [V, dim] = table.shape;
  const idArray = denseCopyIfNeeded(ids).ints();
  for (let i = 0; i < idArray.length; i++) {
    if (idArray[i] < 0 || idArray[i] >= V) {
      throw new RangeError(`embedding: id ${idArray[i]} at position ${i} is outside the vocabulary [0, ${V})`);
    }
  }
  const weights = denseCopyIfNeeded(table);
  const out = Tensor.empty([...ids.shape, dim], table.dtype);
  kernels(table).embedding(out.floats(), weights.floats(), idArray, idArray.length, dim);
  return record(out, 'embedding', [table], (g) => {
    const dtable = Tensor.empty(table.shape, table.dtype);
    kernels(table).fill(dtable.floats(), 0, dtable.size);
    kernels(table).embeddingBackward(dtable.floats(), denseCopyIfNeeded(g).floats(), idArray, idArray.length, dim);
    return [dtable];
  });
}
