// pipeline('translation'): the same greedy and beam outputs as `transformer translate`, n-best lists in
// transformers.js's shape, streaming that yields exactly the non-streamed text, aborting between steps,
// attention weights on request, and one-line errors for unknown tasks, options and values.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { attentionWeights, translateIds, translateLines } from '../../src/decode/index.js';
import { saveModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import { createPipeline, pipeline, PipelineError, TextStreamer, type TextCodec } from '../../src/pipeline/index.js';
import * as T from '../../src/tensor/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { trainCopyModel } from '../decode/copy-model.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'pipeline-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

// A model that has learnt to copy symbols 3..12, read through a codec of space-separated ids.
const copyModel = trainCopyModel(150);
const copyDir = join(root, 'copy');
await saveModel(copyDir, copyModel);
const ids: TextCodec = {
  encode: (text, options) => [...text.trim().split(/\s+/).map(Number), ...(options?.addEos ? [2] : [])],
  decode: (tokens) => Array.from(tokens).join(' '),
};
const translator = createPipeline('translation', { model: copyModel, tokenizer: ids, name: copyDir });
const lines = ['5 6 7', '8 9 10 11 12 3', '4', '12 11 10 9 8 7 6', '3 3 5', '9 10'];

test('greedy and beam outputs equal `transformer translate` on the same sentences', async () => {
  for (const beam of [1, 4]) {
    const cli = runCli(['translate', '--model', copyDir, '--ids', '--beam', String(beam)], {
      input: `${lines.join('\n')}\n`,
      env: { TRANSFORMER_THREADS: '2' },
    });
    assert.equal(cli.code, 0, cli.err);
    const got = await translator(lines, { num_beams: beam });
    assert.deepEqual(
      got.map((list) => list[0].translation_text),
      cli.out.split('\n').slice(0, -1),
      `beam ${beam}`,
    );
  }
});

test('a folder with a tokenizer: pipeline(task, folder) translates text as the CLI does', async () => {
  const text = ['ein Haus am See', 'zwei Hunde laufen', 'der Mann liest ein Buch', 'Häuser und Hunde'];
  const tokenizer = learnBpe(text, { vocabSize: 300 });
  const tokenizerPath = join(root, 'tokenizer.json');
  await tokenizer.save(tokenizerPath);
  T.manualSeed(2);
  const model = createModel(makeConfig('tiny', { vocabSize: 300 })).eval() as EncoderDecoder;
  const dir = join(root, 'text');
  await saveModel(dir, model, { tokenizerPath });
  const input = ['ein Hund', 'der See ist groß'];
  const fromFolder = await pipeline('translation', dir);
  for (const beam of ['1', '2']) {
    const cli = runCli(['translate', '--model', dir, '--beam', beam, '--max-len-a', '0', '--max-len-b', '5'], {
      input: `${input.join('\n')}\n`,
    });
    assert.equal(cli.code, 0, cli.err);
    const got = await fromFolder(input, { num_beams: Number(beam), max_new_tokens: 5 });
    assert.deepEqual(
      got.map((l) => l[0].translation_text),
      cli.out.split('\n').slice(0, -1),
    );
  }
  assert.deepEqual(
    (await fromFolder('ein Hund', { beam: 2, max_new_tokens: 5 }))[0].translation_text,
    translateLines(model, tokenizer, ['ein Hund'], { beam: 2, maxLenA: 0, maxLenB: 5 })[0],
  );
});

test('num_return_sequences: the n best of the beam, best first; one array per input when given an array', async () => {
  const one = await translator('5 6 7 8', { num_beams: 4, num_return_sequences: 2 });
  const want = translateIds(copyModel, [ids.encode('5 6 7 8', { addEos: true }) as number[]], { beam: 4, nbest: 2 });
  assert.deepEqual(
    one.map((o) => o.translation_text),
    want[0].map((h) => h.tokens.join(' ')),
  );
  const many = await translator(['5 6', '7 8 9'], { num_beams: 3, nbest: 3 });
  assert.deepEqual(
    many.map((l) => l.length),
    [3, 3],
  );
  assert.equal(one.length, 2);
});

test('streaming yields exactly the text of the non-streamed call, greedy, sampled and beam', async () => {
  for (const options of [{ num_beams: 1 }, { do_sample: true, seed: 3, temperature: 2 }, { num_beams: 3 }]) {
    for (const line of lines) {
      const pieces: string[] = [];
      for await (const piece of translator.stream(line, options)) pieces.push(piece);
      const [whole] = await translator(line, options);
      assert.equal(pieces.join(''), whole.translation_text, `${JSON.stringify(options)} ${line}`);
      if (options.num_beams === 1 && whole.translation_text.includes(' ')) assert.ok(pieces.length > 1, line);
    }
  }
  const streamed: string[] = [];
  const streamer = new TextStreamer(ids, { callback_function: (text) => streamed.push(text) });
  const [out] = await translator('12 11 10 9 8 7 6', { num_beams: 1, streamer });
  assert.equal(streamed.join(''), out.translation_text);
  assert.ok(streamed.length > 1);
});

test('the async call lets the event loop run between decoding steps, reports progress and stops on abort', async () => {
  let ticks = 0;
  let running = true;
  const tick = () => {
    ticks++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const seen: number[] = [];
  const progress: string[] = [];
  await translator(lines, {
    num_beams: 1,
    batch_size: 2,
    onStep: () => seen.push(ticks),
    onProgress: (done, total) => progress.push(`${done}/${total}`),
  });
  running = false;
  assert.ok(seen.length > 3 && seen.at(-1)! > seen[0], `ticks seen at each step: ${seen.join(' ')}`);
  assert.deepEqual(progress, ['2/6', '4/6', '6/6']);

  const controller = new AbortController();
  let steps = 0;
  await assert.rejects(
    translator(lines, { num_beams: 4, signal: controller.signal, onStep: () => ++steps === 2 && controller.abort() }),
    (error: Error) => error.name === 'AbortError',
  );
  assert.equal(steps, 2);
  // Nothing is left half-done: the model translates as before.
  assert.deepEqual(
    (await translator(lines, { num_beams: 4 })).map((l) => l[0].translation_text),
    translateIds(
      copyModel,
      lines.map((l) => ids.encode(l, { addEos: true }) as number[]),
    ).map((l) => l[0].tokens.join(' ')),
  );
  const stopped = new AbortController();
  stopped.abort();
  await assert.rejects(async () => {
    for await (const piece of translator.stream('5 6 7', { signal: stopped.signal })) assert.fail(piece);
  }, /abort/i);
});

test('output_attentions adds the attention weights of each translation', async () => {
  const [out] = await translator('5 6 7', { num_beams: 2, output_attentions: true });
  const source = ids.encode('5 6 7', { addEos: true }) as number[];
  const want = attentionWeights(copyModel, source, out.translation_text.split(' ').map(Number));
  assert.deepEqual(
    out.attentions?.map((a) => a.name),
    want.map((a) => a.name),
  );
  assert.ok(out.attentions!.some((a) => a.name.endsWith('crossAttention')));
  assert.deepEqual(out.attentions![0].weights, want[0].weights);
});

test('unknown tasks, options, bad values and folders of the wrong kind are one-line PipelineErrors', async () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () => createPipeline('summarization' as 'translation', { model: copyModel, tokenizer: ids }),
      /unknown task "summarization"; expected one of translation, text-generation/,
    ],
    [() => translator('5', { num_beem: 4 } as object), /translation: unknown option "num_beem"; expected one of/],
    [() => translator('5', { num_beams: 0 }), /option "num_beams" must be an integer >= 1, got 0/],
    [() => translator('5', { top_p: 1.5, do_sample: true }), /option "top_p" must be a number in \(0, 1\], got 1.5/],
    [
      () => translator('5', { num_beams: 2, num_return_sequences: 3 }),
      /num_return_sequences \(3\) must be at most num_beams \(2\)/,
    ],
    [() => translator('5', { num_beams: 2, repetition_penalty: 1.2 }), /repetition_penalty works with greedy search/],
    [() => translator('5', { do_sample: true, num_beams: 4 }), /num_beams must be 1/],
    [() => translator([5] as unknown as string[]), /input 0 must be a string, got number/],
    [
      () => createPipeline('text-generation', { model: copyModel, tokenizer: ids, name: 'run/copy' }),
      /^text-generation needs a decoder-only folder; run\/copy holds an encoder-decoder model$/,
    ],
    [
      () => createPipeline('text-classification', { model: copyModel, tokenizer: ids }),
      /text-classification needs an encoder-only folder; the model holds an encoder-decoder model/,
    ],
    [() => createPipeline('fill-mask', { model: copyModel, tokenizer: ids }), /fill-mask needs an encoder-only folder/],
    [
      () => createPipeline('translation', { model: copyModel, tokenizer: null, name: 'x' }),
      /translation needs a tokenizer; x has none/,
    ],
  ];
  for (const [run, message] of cases) {
    await assert.rejects(
      async () => run(),
      (error: Error) => {
        assert.ok(error instanceof PipelineError, `${error.constructor.name}: ${error.message}`);
        assert.match(error.message, message);
        assert.ok(!error.message.includes('\n'));
        return true;
      },
    );
  }
  await assert.rejects(pipeline('translation', join(root, 'missing')), /missing\/config\.json: cannot read it/);
});
