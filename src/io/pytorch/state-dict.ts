// A pickled state dict (an OrderedDict of names to tensors) read into named tensors: the pickle gives
// each name a tensor reference (storage, offset, size, stride); the container then gives each storage
// its bytes, and every tensor is materialized from them. Tensors that share a storage (tied weights)
// share its decoded values.

import { quote } from '../../quote.js';
import type { StoredTensor, TensorData } from '../safetensors-format.js';
import { PyDict, PytorchError, unpickle, type PyGlobal, type PyValue } from './pickle.js';
import {
  decodeStorage,
  elementBytes,
  materialize,
  STORAGE_GLOBALS,
  storageRef,
  tensorRef,
  type StorageRef,
  type TensorRef,
} from './storage.js';

const ORDERED_DICT = 'collections.OrderedDict';
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const REBUILD_PARAMETER = 'torch._utils._rebuild_parameter';
/** Everything a state dict's pickle may name. */
const GLOBALS: ReadonlySet<string> = new Set([ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER, ...STORAGE_GLOBALS]);

export interface PickledStateDict {
  /** Each name's tensor reference, in the file's order. */
  tensors: Map<string, TensorRef>;
  /** The storages the tensors use, by key. */
  storages: Map<string, StorageRef>;
  /** The offset just past the pickle. */
  end: number;
}

/** Reads the state dict's pickle at `start` of `bytes`; nothing but tensor references comes out of it. */
export function readStateDictPickle(bytes: Uint8Array, start: number, file: string): PickledStateDict {
  const storages = new Map<string, StorageRef>();
  const reduce = (callable: PyGlobal, args: PyValue[]): PyValue => {
    if (callable.name === ORDERED_DICT && args.length === 0) return new PyDict();
    if (callable.name === REBUILD_TENSOR) return tensorRef(args, file);
    // _rebuild_parameter(data, requires_grad, backward_hooks): a parameter is its data here.
    if (callable.name === REBUILD_PARAMETER && args.length === 3 && isTensorRef(args[0])) return args[0];
    throw new PytorchError(file, `the pickle calls ${callable.name} with arguments a state dict does not use`);
  };
  const persistentLoad = (pid: PyValue): PyValue => {
    const ref = storageRef(pid, file);
    const known = storages.get(ref.key);
    if (known === undefined) storages.set(ref.key, ref);
    else if (known.kind !== ref.kind || known.numel !== ref.numel)
      throw new PytorchError(file, `storage ${quote(ref.key)} is described in two ways`);
    return known ?? ref;
  };
  const { value, end } = unpickle(bytes, start, { file, globals: GLOBALS, reduce, persistentLoad });
  if (!(value instanceof PyDict)) throw new PytorchError(file, 'the pickle holds no dict of tensors (a state dict)');
  const tensors = new Map<string, TensorRef>();
  for (const [name, tensor] of value.items) {
    if (typeof name !== 'string') throw new PytorchError(file, `a state dict key that is not a string: ${quote(name)}`);
    if (!isTensorRef(tensor))
      throw new PytorchError(file, `${quote(name)} is not a tensor (a nested dict is not a state dict)`);
    tensors.set(name, tensor);
  }
  return { tensors, storages, end };
}

function isTensorRef(value: unknown): value is TensorRef {
  return typeof value === 'object' && value !== null && 'stride' in value && 'storage' in value;
}

/**
 * The tensors of a state dict, given the bytes of each root storage. A view of another storage (an
 * old file's) is the slice of its root's bytes it names.
 */
export function materializeAll(
  pickled: PickledStateDict,
  bytesOf: (key: string) => Uint8Array,
  file: string,
): Map<string, StoredTensor> {
  const decoded = new Map<string, TensorData>();
  const values = (ref: StorageRef): TensorData => {
    const known = decoded.get(ref.key);
    if (known !== undefined) return known;
    const size = elementBytes(ref.kind);
    let bytes = bytesOf(ref.view?.root ?? ref.key);
    if (ref.view !== null) {
      const end = (ref.view.offset + ref.numel) * size;
      if (end > bytes.byteLength)
        throw new PytorchError(file, `storage view ${quote(ref.key)} reaches beyond storage ${quote(ref.view.root)}`);
      bytes = bytes.subarray(ref.view.offset * size, end);
    } else if (bytes.byteLength !== ref.numel * size)
      throw new PytorchError(
        file,
        `storage ${quote(ref.key)} holds ${bytes.byteLength} bytes, not the ${ref.numel} × ${size} its tensors need`,
      );
    const data = decodeStorage(bytes, ref.kind, `storage ${quote(ref.key)}`, file);
    decoded.set(ref.key, data);
    return data;
  };
  const tensors = new Map<string, StoredTensor>();
  for (const [name, ref] of pickled.tensors)
    tensors.set(name, materialize(ref, values(ref.storage), quote(name), file));
  return tensors;
}
