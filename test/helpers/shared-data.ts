// Where the real corpora live (Multi30k, newstest2014): TRANSFORMER_SHARED_DATA, else ../shared/data
// beside the repository, one folder per data set as `transformer data get` writes them. Their
// licenses keep them out of the repository, so the tests on them run when they are present and
// skip, saying what is missing and how to get it, when they are not. The conformance vectors that
// may be committed are in test/fixtures/third-party/ (test/helpers/third-party.ts).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

const repository = fileURLToPath(new URL('../../../', import.meta.url));

export function sharedDataRoot(): string {
  const env = process.env.TRANSFORMER_SHARED_DATA;
  return env !== undefined && env !== '' ? path.resolve(env) : path.resolve(repository, '..', 'shared', 'data');
}

/** The absolute folder of one data set (e.g. "multi30k"), whether or not it exists. */
export function sharedDataPath(name: string): string {
  return path.join(sharedDataRoot(), name) + path.sep;
}

/** The data set's folder, or null after marking the test skipped with what is missing and how to get it. */
export function requireSharedData(t: TestContext, name: string): string | null {
  const dir = sharedDataPath(name);
  if (existsSync(dir)) return dir;
  t.skip(
    `needs the ${name} corpus, not found at ${dir}: run \`node bin/transformer.js data get ${name} --dir DIR\` ` +
      `and set TRANSFORMER_SHARED_DATA=DIR (or keep it in ../shared/data/${name} beside the repository)`,
  );
  return null;
}
