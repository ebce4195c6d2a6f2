// Where the read-only third-party reference data lives: TRANSFORMER_SHARED_DATA, else ../shared/data
// beside the repository. It is never copied into the repository. Tests that need it fail when it is
// absent, unless TRANSFORMER_ALLOW_NO_SHARED_DATA=1, in which case they skip and say why.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

const repository = fileURLToPath(new URL('../../../', import.meta.url));

export function sharedDataRoot(): string {
  return process.env.TRANSFORMER_SHARED_DATA ?? path.resolve(repository, '..', 'shared', 'data');
}

/** The absolute folder of one data set (e.g. "bpe"), whether or not it exists. */
export function sharedDataPath(name: string): string {
  return path.join(sharedDataRoot(), name) + path.sep;
}

/** The reason to skip when the data set is absent and skipping is allowed, else false. */
export function skipWithoutSharedData(name: string): string | false {
  const dir = sharedDataPath(name);
  if (existsSync(dir) || process.env.TRANSFORMER_ALLOW_NO_SHARED_DATA !== '1') return false;
  return `${dir} is absent (TRANSFORMER_ALLOW_NO_SHARED_DATA=1)`;
}

/** The data set's folder; fails the test, or skips it when allowed, when the folder is absent. */
export function requireSharedData(t: TestContext, name: string): string | null {
  const dir = sharedDataPath(name);
  if (existsSync(dir)) return dir;
  const skip = skipWithoutSharedData(name);
  if (skip) {
    t.skip(skip);
    return null;
  }
  assert.fail(
    `${dir} is absent: this test needs the shared ${name} data (set TRANSFORMER_SHARED_DATA to its folder, or TRANSFORMER_ALLOW_NO_SHARED_DATA=1 to skip)`,
  );
}
