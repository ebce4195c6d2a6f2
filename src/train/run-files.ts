// The files a run folder may hold after a crash, and write errors that name what was being written:
// atomic writes go through temporary names (`*.tmp` files, `last.tmp-PID` and `last.old-PID`
// checkpoint folders), which a kill -9 or a full disk can leave behind and which the user never asked for.

import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** True for the name of a temporary file (`*.tmp`) or checkpoint folder (`*.tmp-PID`, `*.old-PID`). */
export function isTemporaryName(name: string): boolean {
  return /\.tmp$/.test(name) || /\.(tmp|old)-\d+$/.test(name);
}

/** True for a temporary file or folder, or a file inside a temporary folder. */
function isTemporary(path: string): boolean {
  return isTemporaryName(basename(path)) || isTemporaryName(basename(dirname(path)));
}

/**
 * Runs a write of `target` and makes a system error it throws name `target`: a failed write(2) names no
 * file at all, and a failure inside a temporary file or folder would name a path the user never asked for.
 */
export function namingTarget<T>(target: string, write: () => T): T {
  const rename = (error: unknown): never => {
    const e = error as NodeJS.ErrnoException;
    if (typeof e?.code === 'string' && (e.path === undefined || isTemporary(e.path))) {
      e.message = e.path === undefined ? `${e.message} (${target})` : e.message.replaceAll(e.path, target);
      e.path = target;
    }
    throw error;
  };
  try {
    const result = write();
    return (result instanceof Promise ? result.catch(rename) : result) as T;
  } catch (error) {
    return rename(error);
  }
}

/** Removes what interrupted writes left in the given folders; returns the names removed. */
export function removeStaleFiles(...folders: string[]): string[] {
  const removed: string[] = [];
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (!isTemporaryName(name)) continue;
      rmSync(join(folder, name), { recursive: true, force: true });
      removed.push(join(folder, name));
    }
  }
  return removed;
}
