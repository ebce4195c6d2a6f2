// PyTorch storages and the tensors that view them: the storage classes a state dict names, the
// persistent id ('storage', StorageType, key, location, numel[, view]) that stands for each storage in
// the pickle, and a tensor's (storage, offset, size, stride) materialized as a dense row-major array.
// Half and bfloat16 values are widened to float32, integers read as int32 when they fit.

import { halfToFloat } from '../half.js';
import type { StoredDType, StoredTensor, TensorData } from '../safetensors-format.js';
import { PyGlobal, PytorchError, type PyValue } from './pickle.js';

type Kind = 'F32' | 'F64' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const STORAGE_TYPES: Record<string, Kind> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};
const BYTES: Record<Kind, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** The Python names of the storage classes, for the unpickler's allow-list. */
export const STORAGE_GLOBALS = Object.keys(STORAGE_TYPES).map((name) => `torch.${name}`);

/** A storage as its persistent id describes it; `view` when it is a slice of another (old files only). */
export interface StorageRef {
  key: string;
  kind: Kind;
  numel: number;
  view: { root: string; offset: number } | null;
}

/** What _rebuild_tensor_v2 was given. */
export interface TensorRef {
  storage: StorageRef;
  offset: number;
  size: number[];
  stride: number[];
}

export const elementBytes = (kind: Kind) => BYTES[kind];

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Reads a persistent id; `file` names errors. */
export function storageRef(pid: PyValue, file: string): StorageRef {
  const fail = (what: string): never => {
    throw new PytorchError(file, `a persistent id that is not a storage: ${what}`);
  };
  if (!Array.isArray(pid) || pid.length < 5 || pid.length > 6 || pid[0] !== 'storage')
    fail("expected ('storage', type, key, location, numel)");
  const [, type, key, , numel, view] = pid as unknown[];
  if (!(type instanceof PyGlobal) || !type.name.startsWith('torch.')) return fail('its type is not a storage class');
  const kind = STORAGE_TYPES[type.name.slice('torch.'.length)];
  if (kind === undefined) fail(`${type.name} is not a storage class`);
  if (typeof key !== 'string' || key.length > 200) fail('its key is not a short string');
  if (!isCount(numel)) fail('its element count is not a count');
  if (view === undefined || view === null) return { key: key as string, kind, numel: numel as number, view: null };
  // (root key, offset, size) in elements: a slice of another storage, written by torch < 0.4.
  if (
    !Array.isArray(view) ||
    view.length !== 3 ||
    typeof view[0] !== 'string' ||
    !isCount(view[1]) ||
    !isCount(view[2])
  )
    return fail('its view is not (key, offset, size)');
  return { key: view[0], kind, numel: view[2], view: { root: key as string, offset: view[1] } };
}

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
export function tensorRef(args: readonly PyValue[], file: string): TensorRef {
  const fail = (what: string): never => {
    throw new PytorchError(file, `_rebuild_tensor_v2 with ${what}`);
  };
  if (args.length < 4 || args.length > 7) fail(`${args.length} arguments`);
  const [storage, offset, size, stride] = args;
  if (typeof storage !== 'object' || storage === null || !('kind' in storage)) fail('no storage');
  if (!isCount(offset)) fail('an offset that is not a count');
  if (!Array.isArray(size) || !size.every(isCount) || size.length > 16) fail('a size that is not a tuple of counts');
  if (!Array.isArray(stride) || !stride.every(isCount) || stride.length !== (size as number[]).length)
    fail('strides that do not match the size');
  return {
    storage: storage as StorageRef,
    offset: offset as number,
    size: size as number[],
    stride: stride as number[],
  };
}

const DTYPES: Record<Kind, StoredDType> = {
  F32: 'F32',
  F64: 'F64',
  F16: 'F16',
  BF16: 'BF16',
  I64: 'I32',
  I32: 'I32',
  I16: 'I32',
  I8: 'I32',
  U8: 'I32',
  BOOL: 'I32',
};

let halfTable: Float32Array | null = null;

/** A storage's bytes (little-endian, numel elements) as one typed array. */
export function decodeStorage(bytes: Uint8Array, kind: Kind, name: string, file: string): TensorData {
  // A view when the elements are aligned (zip entries are; a 300 MB checkpoint is not copied twice), else a copy.
  const copy = bytes.byteOffset % BYTES[kind] === 0 ? bytes : bytes.slice();
  const n = copy.byteLength / BYTES[kind];
  const at = copy.byteOffset;
  switch (kind) {
    case 'F32':
      return new Float32Array(copy.buffer, at, n);
    case 'F64':
      return new Float64Array(copy.buffer, at, n);
    case 'F16': {
      halfTable ??= Float32Array.from({ length: 65536 }, (_, h) => halfToFloat(h));
      const half = new Uint16Array(copy.buffer, at, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfTable[half[i]];
      return out;
    }
    case 'BF16': {
      const half = new Uint16Array(copy.buffer, at, n);
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = half[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': {
      const wide = new BigInt64Array(copy.buffer, at, n);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = wide[i];
        if (v > 2147483647n || v < -2147483648n)
          throw new PytorchError(file, `${name}: the int64 value ${v} does not fit int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'I32':
      return new Int32Array(copy.buffer, at, n);
    case 'I16':
      return Int32Array.from(new Int16Array(copy.buffer, at, n));
    case 'I8':
      return Int32Array.from(new Int8Array(copy.buffer, at, n));
    case 'U8':
    case 'BOOL':
      return Int32Array.from(copy);
  }
}

/**
 * The tensor `ref` views in `storage` (its storage's elements, decoded), dense and row-major: a
 * transposed or sliced view is gathered through its strides. Every element it reaches must lie inside
 * the storage.
 */
export function materialize(ref: TensorRef, storage: TensorData, name: string, file: string): StoredTensor {
  const { size, stride, offset } = ref;
  const count = size.reduce((a, b) => a * b, 1);
  const dtype = DTYPES[ref.storage.kind];
  const shape = [...size];
  if (count === 0) return { dtype, shape, data: emptyLike(storage) };
  // Expanded views (stride 0) could ask for any number of elements from a few bytes; a state dict has none.
  if (count > storage.length)
    throw new PytorchError(file, `${name}: ${count} elements from a storage of ${storage.length}`);
  const last = offset + size.reduce((sum, n, i) => sum + (n - 1) * stride[i], 0);
  if (last >= storage.length)
    throw new PytorchError(
      file,
      `${name}: size (${size.join(', ')}) with strides (${stride.join(', ')}) from offset ${offset} reaches element ${last}, beyond its storage of ${storage.length}`,
    );
  if (isContiguous(size, stride)) return { dtype, shape, data: storage.subarray(offset, offset + count) };
  const data = emptyLike(storage, count);
  const index = new Array<number>(size.length).fill(0);
  let at = offset;
  for (let i = 0; i < count; i++) {
    data[i] = storage[at];
    for (let d = size.length - 1; d >= 0; d--) {
      if (++index[d] < size[d]) {
        at += stride[d];
        break;
      }
      index[d] = 0;
      at -= (size[d] - 1) * stride[d];
    }
  }
  return { dtype, shape, data };
}

function isContiguous(size: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expected) return false;
    expected *= size[d];
  }
  return true;
}

function emptyLike(storage: TensorData, n = 0): TensorData {
  if (storage instanceof Float64Array) return new Float64Array(n);
  if (storage instanceof Int32Array) return new Int32Array(n);
  return new Float32Array(n);
}
