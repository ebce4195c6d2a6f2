// The legacy checkpoint of torch < 1.6 (still written with _use_new_zipfile_serialization=False):
// five pickles back to back (a magic number, the protocol version 1001, the writer's sys info, the
// state dict, the list of storage keys), then each storage in that order as an int64 element count
// followed by its raw little-endian elements.

import { quote } from '../../quote.js';
import type { StoredTensor } from '../safetensors-format.js';
import { PyDict, PytorchError, unpickle, type PyGlobal } from './pickle.js';
import { materializeAll, readStateDictPickle } from './state-dict.js';
import { elementBytes } from './storage.js';

const MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/** True when the bytes start with a protocol-2 pickle of a LONG1 (the magic number's opcode). */
export function isLegacyCheckpoint(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 3 && bytes[0] === 0x80 && bytes[1] === 2 && bytes[2] === 0x8a;
}

export function parseLegacyCheckpoint(bytes: Uint8Array, file: string): Map<string, StoredTensor> {
  // The three header pickles hold plain values only: no global is allowed in them.
  const plain = {
    file,
    globals: new Set<string>(),
    reduce: (callable: PyGlobal): never => {
      throw new PytorchError(file, `the header calls ${callable.name}`);
    },
  };
  const magic = unpickle(bytes, 0, plain);
  if (magic.value !== MAGIC) throw new PytorchError(file, 'not a PyTorch checkpoint (wrong magic number)');
  const version = unpickle(bytes, magic.end, plain);
  if (version.value !== PROTOCOL_VERSION)
    throw new PytorchError(file, `checkpoint protocol ${quote(version.value)} is not ${PROTOCOL_VERSION}`);
  const sysInfo = unpickle(bytes, version.end, plain);
  if (sysInfo.value instanceof PyDict && sysInfo.value.items.get('little_endian') === false)
    throw new PytorchError(file, 'a big-endian checkpoint: not read');
  const pickled = readStateDictPickle(bytes, sysInfo.end, file);
  const keys = unpickle(bytes, pickled.end, plain);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string'))
    throw new PytorchError(file, 'the list of storage keys is not a list of strings');

  const kinds = new Map<string, number>(); // key -> bytes per element
  for (const ref of pickled.storages.values()) if (ref.view === null) kinds.set(ref.key, elementBytes(ref.kind));
  for (const ref of pickled.storages.values())
    if (ref.view !== null && !kinds.has(ref.view.root)) kinds.set(ref.view.root, elementBytes(ref.kind));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storages = new Map<string, Uint8Array>();
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const size = kinds.get(key);
    if (size === undefined) throw new PytorchError(file, `storage ${quote(key)} is listed but no tensor uses it`);
    if (at + 8 > bytes.byteLength)
      throw new PytorchError(file, `the file ends before storage ${quote(key)}: truncated`);
    const count = view.getBigInt64(at, true);
    const end = at + 8 + Number(count) * size;
    if (count < 0n || end > bytes.byteLength)
      throw new PytorchError(
        file,
        `storage ${quote(key)} of ${count} elements runs past the end of the file: truncated`,
      );
    storages.set(key, bytes.subarray(at + 8, end));
    at = end;
  }
  const bytesOf = (key: string) => {
    const data = storages.get(key);
    if (data === undefined) throw new PytorchError(file, `storage ${quote(key)} is used but not in the file's list`);
    return data;
  };
  return materializeAll(pickled, bytesOf, file);
}
