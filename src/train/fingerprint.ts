// What a resumed run must find unchanged: its data files and its tokenizer, each known by its size and a
// SHA-256 of its content, saved in train.json when the run starts. A corpus edited between two sessions
// would otherwise shift the saved data position onto other sentences without a word.

import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

export interface FileFingerprint {
  bytes: number;
  sha256: string;
}

/** The size and SHA-256 of a file, read as a stream. */
export async function fingerprintFile(path: string): Promise<FileFingerprint> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
    hash.update(chunk);
  return { bytes: statSync(path).size, sha256: hash.digest('hex') };
}

/** True when the JSON value looks like a saved FileFingerprint. */
export function isFingerprint(value: unknown): value is FileFingerprint {
  const f = value as FileFingerprint | null;
  return typeof f === 'object' && f !== null && typeof f.bytes === 'number' && typeof f.sha256 === 'string';
}

/** How `now` differs from `before`, in words, or null when the file is the same. */
export function describeChange(before: FileFingerprint, now: FileFingerprint): string | null {
  if (before.sha256 === now.sha256 && before.bytes === now.bytes) return null;
  const short = (f: FileFingerprint) => `${f.bytes} bytes, SHA-256 ${f.sha256.slice(0, 12)}`;
  return `now ${short(now)}, was ${short(before)}`;
}
