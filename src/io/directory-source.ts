// A model folder on disk as a FolderSource (Node): the openers read a folder's files through it, as they
// read fetched or picked files in a page, so both give the same models and the same errors.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { FolderReadError, type FolderSource } from './folder-source.js';

export class DirectorySource implements FolderSource {
  constructor(readonly folder: string) {}

  pathOf(name: string): string {
    return join(this.folder, name);
  }

  async read(name: string): Promise<Uint8Array | null> {
    try {
      return plain(await readFile(this.pathOf(name)));
    } catch (error) {
      return absentOrFail(error);
    }
  }

  /** read, for the few callers that must answer at once (a folder's kind and config). */
  readSync(name: string): Uint8Array | null {
    try {
      return plain(readFileSync(this.pathOf(name)));
    } catch (error) {
      return absentOrFail(error);
    }
  }
}

/** The bytes as a plain Uint8Array (no copy), as every other source gives them. */
function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function absentOrFail(error: unknown): null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return null;
  throw new FolderReadError(code ?? (error as Error).message);
}
