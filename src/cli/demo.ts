// `transformer demo`: the main job on data the project makes itself. It generates the built-in
// translation task, learns a tokenizer, trains a small Transformer for a few minutes, and reports
// greedy BLEU on the held-out test set with example translations. The run folder it leaves is a
// model folder that `translate`, `score` and `info` accept.

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTask, writeTask } from '../data/task/builtin-task.js';
import { loadModel, loadTokenizer } from '../io/model-folder.js';
import type { EncoderDecoder } from '../model/encoder-decoder.js';
import { corpusBleu } from '../eval/bleu.js';
import { translateLines } from '../decode/translate-lines.js';
import { integerFlag, UsageError } from './flags.js';
import { train } from './train.js';

/** A model that learns the task in minutes on two cores. */
const modelSettings = [
  'model.encoderLayers=2',
  'model.decoderLayers=2',
  'model.dModel=128',
  'model.dFF=512',
  'model.h=4',
];

export async function demo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      run: { type: 'string', default: 'demo-run' },
      minutes: { type: 'string', default: '4' },
      seed: { type: 'string', default: '1' },
      'train-size': { type: 'string', default: '20000' },
    },
    strict: true,
  });
  const minutes = Number(values.minutes);
  if (!(minutes > 0 && minutes <= 600))
    throw new UsageError(`--minutes must be a number in (0, 600], got "${values.minutes}"`);
  const seed = integerFlag('--seed', values.seed, 0);
  const trainSize = integerFlag('--train-size', values['train-size'], 100);
  const run = values.run!;
  const started = performance.now();

  const task = makeTask({ seed, train: trainSize, valid: 300, test: 500 });
  const dataDir = join(run, 'data');
  await writeTask(dataDir, task);
  console.log(`demo: the built-in task (seed ${seed}): ${trainSize} training pairs, 500 test pairs, in ${dataDir}`);
  console.log(`demo: e.g. "${task.test.source[0]}" -> "${task.test.target[0]}"`);

  const file = (name: string) => join(dataDir, name);
  const trainArgs = [
    ...['--run', run, '--source', file('train.src'), '--target', file('train.tgt')],
    ...['--valid-source', file('valid.src'), '--valid-target', file('valid.tgt'), '--vocab-size', '2000'],
    ...[...modelSettings, `train.minutes=${minutes}`, 'train.maxTokens=4000', 'train.validEvery=500'].flatMap((s) => [
      '--set',
      s,
    ]),
    ...['--set', 'train.schedule.warmup=300', '--set', 'train.schedule.lr=0.6', '--set', `train.seed=${seed}`],
  ];
  const code = await train(trainArgs);
  if (code !== 0) return code;

  const model = (await loadModel(run)) as EncoderDecoder;
  const tokenizer = (await loadTokenizer(run))!;
  const hypotheses = translateLines(model, tokenizer, task.test.source, { beam: 1, batchSize: 64 });
  const bleu = corpusBleu(hypotheses, [task.test.target]);
  console.log(`demo: greedy BLEU on the held-out test set: ${bleu.score.toFixed(2)} (${bleu.signature})`);
  for (let i = 0; i < 3; i++) {
    console.log(
      `  source:     ${task.test.source[i]}\n  reference:  ${task.test.target[i]}\n  hypothesis: ${hypotheses[i]}`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `demo: done in ${(seconds / 60).toFixed(1)} minutes; the trained model is in ${run}/ (try: transformer translate --model ${run}, or see its attention with transformer serve --model ${run})`,
  );
  return 0;
}
