// `transformer data`: get a public data set into the cache, write the built-in translation task, or generate
// a long text for character language models.
//   transformer data get multi30k|newstest2014 [--dir D] [--base-url U]
//   transformer data make-task [--dir D] [--seed S] [--train N] [--valid N] [--test N]
//   transformer data make-text --out FILE [--chars N] [--seed S]
//   transformer data make-listops --dir D [--train N] [--min-length N] [--max-length N] ... (data-listops.ts)

import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATASETS, getDataset } from '../data/datasets.js';
import { DownloadError } from '../data/download.js';
import { writeLongText } from '../data/long-text.js';
import { defaultTaskOptions, makeTask, writeTask } from '../data/task/builtin-task.js';
import { quote } from '../quote.js';
import { UsageError, integerFlag } from './flags.js';
import { progressReporter } from './progress.js';

/** --dir, else $TRANSFORMER_DATA_DIR, else ~/.cache/transformer-ts/data (or under $XDG_CACHE_HOME). */
export function dataDir(flag: string | undefined): string {
  if (flag !== undefined) return flag;
  const env = process.env.TRANSFORMER_DATA_DIR;
  if (env !== undefined && env !== '') return env;
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'transformer-ts', 'data');
}

export async function data(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'get') return get(rest);
  if (sub === 'make-task') return makeTaskCommand(rest);
  if (sub === 'make-text') return makeTextCommand(rest);
  if (sub === 'make-listops') return (await import('./data-listops.js')).makeListOpsCommand(rest);
  throw new UsageError(
    `${sub === undefined ? 'which one?' : `unknown sub-command ${quote(sub)};`} get, make-task, make-text or make-listops (transformer data --help)`,
  );
}

async function get(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { dir: { type: 'string' }, 'base-url': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const names = Object.keys(DATASETS).join('|');
  if (positionals.length !== 1) throw new UsageError(`data get takes one data set name: ${names}`);
  const dataset = DATASETS[positionals[0]];
  if (dataset === undefined) throw new UsageError(`unknown data set ${quote(positionals[0])}; available: ${names}`);
  const baseUrl = values['base-url'] ?? (process.env.TRANSFORMER_DATA_URL || undefined);
  const dir = dataDir(values.dir);
  const progress = progressReporter();
  try {
    const paths = await getDataset(dataset, {
      dir,
      baseUrl,
      onEvent: (event) =>
        event.type === 'cached' ? console.log(`${event.path} (cached, checksum ok)`) : progress(event),
    });
    console.log(`${dataset.name}: ${paths.length} files in ${join(dir, dataset.name)}`);
    return 0;
  } catch (error) {
    if (!(error instanceof DownloadError)) throw error;
    console.error(`transformer data get: ${error.message}`);
    return 1;
  }
}

async function makeTaskCommand(argv: string[]): Promise<number> {
  const d = defaultTaskOptions;
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string' },
      seed: { type: 'string', default: String(d.seed) },
      train: { type: 'string', default: String(d.train) },
      valid: { type: 'string', default: String(d.valid) },
      test: { type: 'string', default: String(d.test) },
    },
    strict: true,
  });
  const options = {
    seed: integerFlag('--seed', values.seed, 0, 0xffffffff),
    train: integerFlag('--train', values.train, 1, 10_000_000),
    valid: integerFlag('--valid', values.valid, 0, 1_000_000),
    test: integerFlag('--test', values.test, 0, 1_000_000),
  };
  const dir = values.dir ?? join(dataDir(undefined), 'builtin-task');
  const paths = await writeTask(dir, makeTask(options));
  console.log(`built-in task, seed ${options.seed}: ${options.train} / ${options.valid} / ${options.test} pairs`);
  for (const path of paths) console.log(`  ${path}`);
  return 0;
}

/** The generated long text for character language models (src/data/long-text.ts). */
async function makeTextCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      chars: { type: 'string', default: '5000000' },
      seed: { type: 'string', default: '1' },
    },
    strict: true,
  });
  if (values.out === undefined) throw new UsageError('--out FILE is required (where to write the text)');
  const options = {
    chars: integerFlag('--chars', values.chars, 1, 1_000_000_000),
    seed: integerFlag('--seed', values.seed, 0, 0xffffffff),
  };
  const { sections } = await writeLongText(values.out, options);
  console.log(`${values.out}: ${options.chars} characters in ${sections} sections, seed ${options.seed}`);
  return 0;
}
