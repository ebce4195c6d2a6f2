// `transformer data make-listops`: Long Range Arena's ListOps task (src/data/listops.ts) as LRA's TSV
// files, train.tsv, valid.tsv and test.tsv, each written atomically.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listOpsDefaults, listOpsTsv, makeListOps, ListOpsError } from '../data/listops.js';
import { writeFileAtomic } from '../io/atomic.js';
import { namingTarget } from '../io/run-folder.js';
import { UsageError, integerFlag } from './flags.js';

export async function makeListOpsCommand(argv: string[]): Promise<number> {
  const d = listOpsDefaults;
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string' },
      train: { type: 'string', default: String(d.train) },
      valid: { type: 'string', default: String(d.valid) },
      test: { type: 'string', default: String(d.test) },
      'min-length': { type: 'string', default: String(d.minLength) },
      'max-length': { type: 'string', default: String(d.maxLength) },
      'max-depth': { type: 'string', default: String(d.maxDepth) },
      'max-args': { type: 'string', default: String(d.maxArgs) },
      seed: { type: 'string', default: String(d.seed) },
    },
    strict: true,
  });
  if (values.dir === undefined) throw new UsageError('--dir D is required (the folder to write)');
  const options = {
    train: integerFlag('--train', values.train, 1, 10_000_000),
    valid: integerFlag('--valid', values.valid, 0, 1_000_000),
    test: integerFlag('--test', values.test, 0, 1_000_000),
    minLength: integerFlag('--min-length', values['min-length'], 0, 1_000_000),
    maxLength: integerFlag('--max-length', values['max-length'], 1, 1_000_000),
    maxDepth: integerFlag('--max-depth', values['max-depth'], 1, 100),
    maxArgs: integerFlag('--max-args', values['max-args'], 2, 100),
    seed: integerFlag('--seed', values.seed, 0, 0xffffffff),
  };
  if (options.maxLength < options.minLength + 2)
    throw new UsageError(
      `--max-length ${options.maxLength} must be at least --min-length + 2 (${options.minLength + 2}): lengths lie strictly between them`,
    );
  let sets;
  try {
    sets = makeListOps(options);
  } catch (error) {
    if (error instanceof ListOpsError) throw new UsageError(`make-listops: ${error.message}`);
    throw error;
  }
  mkdirSync(values.dir, { recursive: true });
  for (const [name, examples] of Object.entries(sets)) {
    const path = join(values.dir, `${name}.tsv`);
    namingTarget(path, () => writeFileAtomic(path, [Buffer.from(listOpsTsv(examples))]));
    console.log(`  ${path}: ${examples.length} examples`);
  }
  console.log(
    `ListOps, seed ${options.seed}: lengths ${options.minLength}-${options.maxLength} tokens (exclusive), ` +
      `depth <= ${options.maxDepth}, <= ${options.maxArgs} arguments`,
  );
  return 0;
}
