// Writing a safetensors file's bytes: length prefix, JSON header, then each tensor's bytes. No Node
// here, so that a page can pack a model folder too; safetensors.ts writes the chunks to disk.

import {
  littleEndianHost,
  product,
  SafetensorsError,
  type StoredDType,
  type TensorData,
  type TensorToWrite,
} from './safetensors-format.js';

/** The chunks of a safetensors file: length prefix, header, then each tensor's bytes. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, TensorToWrite>,
  metadata: Record<string, string> = {},
  file = 'safetensors',
): Uint8Array[] {
  const header: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new SafetensorsError(file, `metadata "${key}" must be a string`);
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of [...tensors.keys()].sort()) {
    const { shape, data } = tensors.get(name)!;
    if (name === '__metadata__') throw new SafetensorsError(file, 'a tensor cannot be named "__metadata__"');
    const dtype = dtypeOf(data);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || product(shape) !== data.length) {
      throw new SafetensorsError(
        file,
        `tensor "${name}": ${data.length} values do not fill shape [${shape.join(', ')}]`,
      );
    }
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
    chunks.push(littleEndianBytes(data));
  }
  const utf8 = new TextEncoder();
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (utf8.encode(json).byteLength % 8)) % 8);
  const text = utf8.encode(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(text.byteLength), true);
  return [prefix, text, ...chunks];
}

function littleEndianBytes(data: TensorData | Uint16Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (littleEndianHost) return bytes;
  const out = new Uint8Array(data.byteLength);
  const size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < out.length; i++) out[i] = bytes[i - (i % size) + size - 1 - (i % size)];
  return out;
}

function dtypeOf(data: TensorData | Uint16Array): StoredDType {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Uint16Array) return 'BF16';
  if (data instanceof Int8Array) return 'I8';
  return 'I32';
}
