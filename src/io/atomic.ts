// Atomic file writes: a temporary file in the same folder, flushed to disk, then renamed over the target,
// so a reader sees either the old file or the complete new one, never a partial write. A failure names
// the target, never the temporary file the user has not heard of.

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A fresh name beside `path` for its temporary file or folder. */
function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Rewrites a system error about `temp` (or with no path at all) to be about `target`. */
function retarget(error: unknown, temp: string, target: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (e === null || typeof e !== 'object' || typeof e.code !== 'string') return error;
  if (e.path === undefined || e.path === temp) e.path = target;
  if (typeof e.message === 'string') e.message = e.message.split(temp).join(target);
  return error;
}

/** Writes the chunks one after another into `path`, atomically. */
export function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): void {
  const file = AtomicFile.open(path);
  try {
    for (const chunk of chunks) file.write(chunk);
  } catch (error) {
    file.abort();
    throw error;
  }
  file.commit();
}

/**
 * A file written piece by piece that appears at its path only on commit(); abort() (or a failure)
 * leaves whatever was there before untouched.
 */
export class AtomicFile {
  private fd: number | null;
  private done = false;

  private constructor(
    readonly path: string,
    private readonly temp: string,
  ) {
    try {
      this.fd = openSync(temp, 'wx');
    } catch (error) {
      throw retarget(error, temp, path);
    }
  }

  static open(path: string): AtomicFile {
    return new AtomicFile(path, temporaryName(path));
  }

  write(data: string | Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.path}: written after commit or abort`);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      for (let done = 0; done < bytes.byteLength;) done += writeSync(this.fd, bytes, done, bytes.byteLength - done);
    } catch (error) {
      this.abort();
      throw retarget(error, this.temp, this.path);
    }
  }

  /** Flushes the file to disk and renames it over the target. */
  commit(): void {
    if (this.done) return;
    try {
      fsyncSync(this.fd!);
      closeSync(this.fd!);
      this.fd = null;
      renameSync(this.temp, this.path);
    } catch (error) {
      this.abort();
      throw retarget(error, this.temp, this.path);
    }
    this.done = true;
    syncFolder(dirname(this.path));
  }

  /** Drops the temporary file; the target keeps its old content (or stays absent). */
  abort(): void {
    if (this.done) return;
    this.done = true;
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed by a failed commit; removing the file is what matters
      }
      this.fd = null;
    }
    try {
      unlinkSync(this.temp);
    } catch {
      // the temporary file may already be gone; the original error is what matters
    }
  }
}

/**
 * Builds a folder atomically: `fill` writes into a temporary folder beside `dir`, which is then renamed
 * to `dir`. `dir` must not exist or be an empty folder; on any failure the temporary folder is removed
 * and `dir` is as it was.
 */
export async function writeFolderAtomic(dir: string, fill: (temp: string) => void | Promise<void>): Promise<void> {
  const temp = temporaryName(dir);
  try {
    mkdirSync(temp);
  } catch (error) {
    throw retarget(error, temp, dir);
  }
  try {
    await fill(temp);
    if (isEmptyFolder(dir)) rmdirSync(dir);
    renameSync(temp, dir);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw retarget(error, temp, dir);
  }
  syncFolder(dirname(dir));
}

/** True for a folder without entries; false when `dir` is missing or anything else. */
export function isEmptyFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns on some paths (under /proc, a
 * missing child of an existing folder reports ENOENT forever), this one fails with the system error.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let path = dir; ; path = dirname(path)) {
    try {
      if (statSync(path).isDirectory()) break;
      const error: NodeJS.ErrnoException = new Error(`ENOTDIR: not a directory, mkdir '${dir}'`);
      Object.assign(error, { code: 'ENOTDIR', path });
      throw error;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    missing.push(path);
    if (dirname(path) === path) break;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Makes the rename itself durable; not every platform can open a folder, which is harmless. */
function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Windows cannot fsync a folder
  } finally {
    closeSync(fd);
  }
}
