// The zip checkpoint of torch >= 1.6: one folder (named after the file) holding data.pkl (the pickled
// state dict), data/<key> (each storage's raw little-endian bytes, stored uncompressed) and version;
// newer versions add byteorder. The archive is read with fflate.

import { unzipSync } from 'fflate';

import { quote } from '../../quote.js';
import type { StoredTensor } from '../safetensors-format.js';
import { PytorchError } from './pickle.js';
import { materializeAll, readStateDictPickle } from './state-dict.js';

/** True when the bytes start like a zip archive (a local file header). */
export function isZipCheckpoint(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export function parseZipCheckpoint(bytes: Uint8Array, file: string): Map<string, StoredTensor> {
  const entries = unzip(bytes, file);
  const pickleName = [...entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickleName === undefined)
    throw new PytorchError(file, 'a zip archive without <name>/data.pkl: not a PyTorch checkpoint');
  const folder = pickleName.slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${folder}byteorder`);
  if (byteorder !== undefined && new TextDecoder().decode(byteorder).trim() !== 'little')
    throw new PytorchError(file, `${folder}byteorder is not "little": big-endian checkpoints are not read`);
  const pickled = readStateDictPickle(entries.get(pickleName)!, 0, file);
  const bytesOf = (key: string) => {
    const data = entries.get(`${folder}data/${key}`);
    if (data === undefined) throw new PytorchError(file, `the archive has no ${folder}data/${quote(key).slice(1, -1)}`);
    return data;
  };
  return materializeAll(pickled, bytesOf, file);
}

/** Every entry's bytes; PyTorch stores them uncompressed, so a compressed or cut-short entry is refused. */
function unzip(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const sizes = new Map<string, number>();
  let total = 0;
  let count = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: ({ name, size, originalSize, compression }) => {
        if (compression !== 0 || size !== originalSize)
          throw new PytorchError(
            file,
            `zip entry ${quote(name)} is compressed; PyTorch stores its entries as they are`,
          );
        sizes.set(name, size);
        // Each entry is copied out, and fflate believes the entry count it reads: entries that add up to
        // more bytes than the archive, or more of them than its headers (76 bytes each) can hold, lie.
        total += size;
        count += 1;
        if (total > bytes.byteLength || count * 76 > bytes.byteLength)
          throw new PytorchError(file, 'zip entries larger or more numerous than the archive holds: a corrupt file');
        return true;
      },
    });
  } catch (error) {
    if (error instanceof PytorchError) throw error;
    throw new PytorchError(file, `not a readable zip archive (${(error as Error).message})`);
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(entries)) {
    if (data.byteLength !== sizes.get(name))
      throw new PytorchError(file, `zip entry ${quote(name)} is cut short: the file is truncated`);
    out.set(name, data);
  }
  return out;
}
