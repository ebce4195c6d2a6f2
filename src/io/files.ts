// Small file-system questions with answers that name the user's path: reading a file that may be a
// folder, and whether an output would overwrite an input.

import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** The bytes of `path`; reading a folder fails with EISDIR naming `path` (Node leaves that error without one). */
export function readFileNamed(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (typeof e?.code === 'string' && e.path === undefined) e.path = path;
    throw error;
  }
}

/** `path` with every symbolic link resolved, also when the file itself does not exist yet. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(resolve(path));
    if (parent === resolve(path)) return parent;
    return join(realPath(parent), basename(path));
  }
}

/** True when `a` and `b` are the same file: the same path once links are resolved, or hard links of one file. */
export function sameFile(a: string, b: string): boolean {
  if (realPath(a) === realPath(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one of them does not exist yet
  }
}
