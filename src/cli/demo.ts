// `transformer demo`: the main job on data the project makes itself. It generates the built-in
// translation task, learns a tokenizer, trains a small Transformer for a fixed number of updates (fewer
// when the validation BLEU passes its mark early; a wall-clock cap is only a safety net), and reports
// greedy BLEU on the held-out test set with example translations. The result depends on the seed, never
// on the machine's speed; when the test BLEU misses its target the demo says so and exits 1. The run
// folder it leaves is a model folder that `translate`, `score` and `info` accept; running the same
// command again resumes it.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTask, writeTask } from '../data/task/builtin-task.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { loadModel, loadTokenizer } from '../io/model-folder.js';
import type { EncoderDecoder } from '../model/encoder-decoder.js';
import { corpusBleu } from '../eval/bleu.js';
import { translateLines } from '../decode/translate-lines.js';
import { integerFlag, UsageError } from './flags.js';
import { trainRun } from './train.js';

export const DEMO_USAGE =
  'usage: transformer demo [--run DIR] [--updates N] [--target BLEU] [--max-minutes M] [--seed S] [--train-size N]\n' +
  '  Trains for N updates (default 1000), or until the validation BLEU passes the target by a margin, and\n' +
  '  exits 1 when the test BLEU is not above the target (default 90). --max-minutes (default 30) is a safety cap.';

/** A model that learns the task in minutes on two cores. */
const modelSettings = [
  'model.encoderLayers=2',
  'model.decoderLayers=2',
  'model.dModel=128',
  'model.dFF=512',
  'model.h=4',
];

/** Validation BLEU is on 300 sentences, test BLEU on 500: stop early only well above the test target. */
const EARLY_STOP_MARGIN = 4;
const DEMO_FILE = 'demo.json';

interface DemoFlags {
  run: string;
  updates: number;
  target: number;
  maxMinutes: number;
  seed: number;
  trainSize: number;
}

export async function demo(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags === null) {
    console.log(DEMO_USAGE);
    return 0;
  }
  const { run, seed, trainSize, target } = flags;
  const started = performance.now();
  const task = makeTask({ seed, train: trainSize, valid: 300, test: 500 });
  const dataDir = join(run, 'data');
  if (await prepareRun(flags, task, dataDir))
    console.log(`demo: resuming ${run} (the same command continues an interrupted demo)`);
  console.log(`demo: the built-in task (seed ${seed}): ${trainSize} training pairs, 500 test pairs, in ${dataDir}`);
  console.log(`demo: e.g. "${task.test.source[0]}" -> "${task.test.target[0]}"`);
  const stopAt = Math.min(100, target + EARLY_STOP_MARGIN);
  console.log(
    `demo: training for ${flags.updates} updates, or until the validation BLEU reaches ${stopAt} ` +
      `(at most ${flags.maxMinutes} minutes); the goal is a test BLEU above ${target}`,
  );

  const outcome = await trainRun(trainArgs(flags, dataDir, stopAt));
  if (typeof outcome === 'number') return outcome;
  if (outcome.reason === 'interrupted') {
    console.log(`demo: interrupted at update ${outcome.state.step}; run the same command to continue`);
    return 130;
  }

  const model = (await loadModel(run)) as EncoderDecoder;
  const tokenizer = (await loadTokenizer(run))!;
  const hypotheses = translateLines(model, tokenizer, task.test.source, { beam: 1, batchSize: 64 });
  const bleu = corpusBleu(hypotheses, [task.test.target]);
  const best = outcome.state.best?.step ?? outcome.state.step;
  console.log(
    `demo: greedy BLEU on the held-out test set: ${bleu.score.toFixed(2)} (model of update ${best}; ${bleu.signature})`,
  );
  for (let i = 0; i < 3; i++) {
    console.log(
      `  source:     ${task.test.source[i]}\n  reference:  ${task.test.target[i]}\n  hypothesis: ${hypotheses[i]}`,
    );
  }
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  const updates = `${outcome.state.step} updates in ${minutes} minutes`;
  if (!(bleu.score > target)) {
    const why = outcome.reason === 'time' ? ` (stopped by the ${flags.maxMinutes}-minute cap)` : '';
    console.log(
      `demo: FAILED: test BLEU ${bleu.score.toFixed(2)} is not above the target ${target} after ${updates}${why}; ` +
        `try more updates (--updates ${flags.updates * 2})`,
    );
    return 1;
  }
  console.log(
    `demo: done: test BLEU ${bleu.score.toFixed(2)} > ${target} after ${updates}; the trained model is in ${run}/ ` +
      `(try: transformer translate --model ${run}, or see its attention with transformer serve --model ${run})`,
  );
  return 0;
}

function parseFlags(argv: string[]): DemoFlags | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      run: { type: 'string', default: 'demo-run' },
      updates: { type: 'string', default: '1000' },
      target: { type: 'string', default: '90' },
      'max-minutes': { type: 'string', default: '30' },
      seed: { type: 'string', default: '1' },
      'train-size': { type: 'string', default: '20000' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const target = Number(values.target);
  if (values.target!.trim() === '' || !(target >= 0 && target < 100))
    throw new UsageError(`--target must be a BLEU score in [0, 100), got "${values.target}"`);
  const maxMinutes = Number(values['max-minutes']);
  if (values['max-minutes']!.trim() === '' || !(maxMinutes > 0 && maxMinutes <= 10_000))
    throw new UsageError(`--max-minutes must be a number in (0, 10000], got "${values['max-minutes']}"`);
  return {
    run: values.run!,
    updates: integerFlag('--updates', values.updates, 1),
    target,
    maxMinutes,
    seed: integerFlag('--seed', values.seed, 0, 2 ** 32 - 1),
    trainSize: integerFlag('--train-size', values['train-size'], 100, 10_000_000),
  };
}

/**
 * Writes the task for a new run and returns false; returns true for a demo run of the same task to resume.
 * A folder holding another task or another kind of run is refused rather than overwritten.
 */
async function prepareRun(flags: DemoFlags, task: ReturnType<typeof makeTask>, dataDir: string): Promise<boolean> {
  const { run, seed, trainSize } = flags;
  const demoFile = join(run, DEMO_FILE);
  if (existsSync(join(run, 'train.json'))) {
    if (!existsSync(demoFile))
      throw new UsageError(
        `--run ${run} holds a training run without ${DEMO_FILE}, which this demo did not start; give another --run or remove ${run}`,
      );
    let saved: { seed?: number; trainSize?: number };
    try {
      saved = JSON.parse(readFileSync(demoFile, 'utf8')) as typeof saved;
    } catch (error) {
      throw new InputError(`${demoFile}: not valid JSON (${(error as Error).message})`);
    }
    for (const [flag, now, before] of [
      ['--seed', seed, saved.seed],
      ['--train-size', trainSize, saved.trainSize],
    ] as const) {
      if (now !== before)
        throw new UsageError(
          `${flag} ${now}: ${run} holds a demo run made with ${flag} ${before}; give another --run or remove ${run}`,
        );
    }
    return true;
  }
  await writeTask(dataDir, task);
  writeFileAtomic(demoFile, [Buffer.from(`${JSON.stringify({ seed, trainSize }, null, 2)}\n`)]);
  return false;
}

function trainArgs(flags: DemoFlags, dataDir: string, stopAt: number): string[] {
  const file = (name: string) => join(dataDir, name);
  const settings = [
    ...modelSettings,
    `train.steps=${flags.updates}`,
    `train.minutes=${flags.maxMinutes}`,
    `train.targetBleu=${stopAt}`,
    'train.maxTokens=4000',
    'train.validEvery=100',
    'train.checkpointEvery=200',
    'train.schedule.warmup=300',
    'train.schedule.lr=0.6',
    `train.seed=${flags.seed}`,
  ];
  return [
    ...['--run', flags.run, '--source', file('train.src'), '--target', file('train.tgt')],
    ...['--valid-source', file('valid.src'), '--valid-target', file('valid.tgt')],
    ...['--vocab-size', '2000', '--bleu-sentences', '300'],
    ...settings.flatMap((s) => ['--set', s]),
  ];
}
