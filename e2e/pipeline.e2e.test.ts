// End to end: pipeline('translation') on the model `transformer demo` trained gives, sentence for
// sentence, what `transformer translate` gives for its test set, greedy and with beam 4, and a streamed
// greedy translation joins to the non-streamed one. The model folder is TRANSFORMER_E2E_MODEL (default
// demo-run); its test sentences are data/test.src inside it.

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { pipeline } from '../src/pipeline/index.js';
import { runCli } from '../test/helpers/cli.js';

const modelDir = process.env.TRANSFORMER_E2E_MODEL ?? 'demo-run';
const testSource = join(modelDir, 'data', 'test.src');
if (!existsSync(testSource))
  throw new Error(`no ${testSource}: run \`transformer demo\` first or set TRANSFORMER_E2E_MODEL`);
const sentences = readFileSync(testSource, 'utf8').split('\n').filter(Boolean).slice(0, 40);

test("the pipeline's greedy and beam translations are transformer translate's", async () => {
  const translator = await pipeline('translation', modelDir);
  for (const beam of [1, 4]) {
    const cli = runCli(['translate', '--model', modelDir, '--beam', String(beam)], {
      input: `${sentences.join('\n')}\n`,
    });
    assert.equal(cli.code, 0, cli.err);
    const got = await translator(sentences, { num_beams: beam });
    assert.deepEqual(
      got.map((list) => list[0].translation_text),
      cli.out.split('\n').slice(0, -1),
      `beam ${beam}`,
    );
  }
  for (const sentence of sentences.slice(0, 10)) {
    const pieces: string[] = [];
    for await (const piece of translator.stream(sentence, { num_beams: 1 })) pieces.push(piece);
    const [whole] = await translator(sentence, { num_beams: 1 });
    assert.equal(pieces.join(''), whole.translation_text);
  }
});
