// Hugging Face MarianMT folders against the PyTorch reference of scripts/make_marian_fixtures.py: the
// tokenizer, teacher-forced logits (within 1e-4) and beam search (exactly the same hypotheses) on both
// backends; export round trips; and the errors for folders that do not fit.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { availableBackends, withBackend, type BackendName } from '../../src/backend/registry.js';
import { beamSearch } from '../../src/decode/beam.js';
import { translateIds } from '../../src/decode/translate-lines.js';
import { isMarianFolder, loadMarian, marianSearchDefaults, saveMarian } from '../../src/io/marian.js';
import { marianTokenizerFromBpe } from '../../src/io/marian-spm.js';
import { saveModel } from '../../src/io/model-folder.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../src/io/safetensors.js';
import { EncoderDecoder, makeConfig, type ModelConfig } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { CONTROL_TOKENS } from '../../src/tokenizer/vocab.js';

// From dist/test/io/ back to the sources' test/fixtures/marian/.
const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/marian/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'marian-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

interface StoredTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: string;
}

interface Expected {
  format: string;
  version: number;
  tokenization: {
    source: { text: string; ids: number[]; pieces: string[] }[];
    target: { ids: number[]; text: string }[];
  };
  logits: { source: StoredTensor; decoderInput: StoredTensor; logits: StoredTensor };
  beam: {
    options: { beam: number; nbest: number; alpha: number; maxLenA: number; maxLenB: number };
    sentences: { text: string; source: number[]; hypotheses: { tokens: number[]; score: number }[] }[];
  };
}

const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;

function tensorOf(t: StoredTensor): Tensor {
  const bytes = Buffer.from(t.data, 'base64');
  const copy = new Uint8Array(bytes).buffer;
  const data = t.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
  return Tensor.from(data, t.shape);
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function logitsOf(model: EncoderDecoder, source: Tensor, decoderInput: Tensor): Float32Array {
  return tidy(() => T.noGrad(() => Float32Array.from(T.contiguous(model.forward(source, decoderInput)).floats())));
}

const BACKENDS: BackendName[] = ['js', 'native'];

function onBackend(backend: BackendName, t: { skip(message: string): void }, run: () => void): void {
  if (!availableBackends().includes(backend)) {
    const why = `the ${backend} backend is not available (build it with \`npm run build\`)`;
    if (process.env.TRANSFORMER_ALLOW_NO_NATIVE === '1') return t.skip(`${why}; TRANSFORMER_ALLOW_NO_NATIVE=1`);
    assert.fail(`${why}; set TRANSFORMER_ALLOW_NO_NATIVE=1 to skip`);
  }
  withBackend(backend, run);
}

test('the fixture is a Marian folder; our own model folders are not', async () => {
  assert.equal(expected.format, 'transformer-ts marian fixture');
  assert.equal(expected.version, 1);
  assert.ok(isMarianFolder(FIXTURE));
  const ours = join(root, 'ours');
  await saveModel(ours, new EncoderDecoder(makeConfig('tiny')));
  assert.equal(isMarianFolder(ours), false);
  assert.equal(isMarianFolder(join(root, 'nowhere')), false);
});

test('the Marian conventions reach our config', async () => {
  const { model, generation } = await loadMarian(FIXTURE);
  const c = model.config;
  const vocab = JSON.parse(readFileSync(join(FIXTURE, 'vocab.json'), 'utf8')) as Record<string, number>;
  assert.equal(c.activation, 'swish');
  assert.equal(c.positionalEncoding, 'sinusoidal-halves');
  assert.equal(c.normPosition, 'post');
  assert.ok(c.scaleEmbedding && c.shareEmbeddings && c.tieOutput && c.finalLogitsBias);
  assert.equal(c.padId, vocab['<pad>']);
  assert.equal(c.bosId, vocab['<pad>'], 'the decoder starts from the pad token');
  assert.equal(c.eosId, vocab['</s>']);
  assert.equal(c.maxLength, 64);
  assert.deepEqual(generation, { beam: 4, maxLength: 64, bannedIds: [vocab['<pad>']] });
  assert.deepEqual(marianSearchDefaults(generation), { beam: 4, maxLenA: 0, maxLenB: 62 });
});

test('the tokenizer matches MarianTokenizer over the SentencePiece models', async () => {
  const { tokenizer } = await loadMarian(FIXTURE);
  for (const { text, ids, pieces } of expected.tokenization.source) {
    assert.deepEqual(tokenizer.encodePieces(text), pieces, `pieces of ${JSON.stringify(text)}`);
    assert.deepEqual([...tokenizer.encode(text, { addEos: true })], ids, `ids of ${JSON.stringify(text)}`);
  }
  assert.ok(
    expected.tokenization.source.some(({ ids }) => ids.includes(tokenizer.unkId)),
    'some piece is missing from vocab.json and maps to <unk>',
  );
  for (const { ids, text } of expected.tokenization.target) assert.equal(tokenizer.decode(ids), text);
  assert.equal(tokenizer.decode([tokenizer.padId, tokenizer.eosId]), '', 'special tokens decode to nothing');
});

for (const backend of BACKENDS) {
  test(`Marian logits on the ${backend} backend match PyTorch within 1e-4`, async (t) => {
    const { model } = await loadMarian(FIXTURE);
    const { source, decoderInput, logits } = expected.logits;
    onBackend(backend, t, () => {
      const ours = logitsOf(model, tensorOf(source), tensorOf(decoderInput));
      const worst = maxDifference(ours, tensorOf(logits).floats());
      t.diagnostic(`max |logit difference| ${worst.toExponential(2)} over ${logits.shape.join('x')}`);
      assert.ok(worst < 1e-4, `logits differ by up to ${worst}`);
    });
  });

  test(`Marian beam search on the ${backend} backend gives PyTorch's hypotheses`, async (t) => {
    const { model } = await loadMarian(FIXTURE);
    const { options, sentences } = expected.beam;
    assert.ok(sentences.length >= 4, 'the fixture keeps most sentences');
    onBackend(backend, t, () => {
      const results = beamSearch(
        model,
        sentences.map((s) => s.source),
        {
          beamSize: options.beam,
          nbest: options.nbest,
          alpha: options.alpha,
          maxLenA: options.maxLenA,
          maxLenB: options.maxLenB,
        },
      );
      let worst = 0;
      sentences.forEach((s, i) => {
        assert.deepEqual(
          results[i].map((h) => h.tokens),
          s.hypotheses.map((h) => h.tokens),
          `the ${options.nbest} best of ${JSON.stringify(s.text)}`,
        );
        worst = Math.max(
          worst,
          maxDifference(
            results[i].map((h) => h.score),
            s.hypotheses.map((h) => h.score),
          ),
        );
      });
      t.diagnostic(`max |score difference| ${worst.toExponential(2)}`);
      assert.ok(worst < 1e-4);
      const ends = new Set(sentences.flatMap((s) => s.hypotheses.map((h) => h.tokens.length)));
      assert.ok(ends.size > 1, 'hypotheses end at different lengths');
    });
  });
}

test('translateIds from text with the search settings of the folder gives the best hypotheses', async () => {
  const { model, tokenizer, generation } = await loadMarian(FIXTURE);
  const { options, sentences } = expected.beam;
  const sources = sentences.map((s) => [...tokenizer.encode(s.text, { addEos: true })]);
  const results = translateIds(model, sources, {
    ...marianSearchDefaults(generation),
    maxLenB: options.maxLenB,
    alpha: options.alpha,
  });
  assert.deepEqual(
    results.map(([best]) => tokenizer.decode(best.tokens)),
    sentences.map((s) => tokenizer.decode(s.hypotheses[0].tokens)),
  );
});

test('export then load gives the same model, tokenizer and generation settings', async () => {
  const loaded = await loadMarian(FIXTURE);
  const dir = join(root, 'round-trip');
  saveMarian(dir, loaded.model, { tokenizer: loaded.tokenizer, generation: loaded.generation });
  const again = await loadMarian(dir);
  assert.deepEqual(again.model.config, loaded.model.config);
  assert.deepEqual(again.generation, loaded.generation);
  const { source, decoderInput } = expected.logits;
  const [a, b] = [loaded.model, again.model].map((m) => logitsOf(m, tensorOf(source), tensorOf(decoderInput)));
  assert.equal(maxDifference(a, b), 0);
  for (const { text, ids } of expected.tokenization.source)
    assert.deepEqual([...again.tokenizer.encode(text, { addEos: true })], ids);
  const names = [...readSafetensors(join(dir, 'model.safetensors')).tensors.keys()];
  assert.ok(names.includes('model.shared.weight') && names.includes('final_logits_bias'));
  assert.ok(names.includes('model.decoder.layers.1.encoder_attn.k_proj.weight'));
  assert.ok(!names.includes('lm_head.weight'), 'tied tensors are written once, as Hugging Face does');
});

/** Our own model with the fixture's vocabulary layout, so that the fixture's tokenizer fits it. */
function ourModel(overrides: Partial<ModelConfig>): EncoderDecoder {
  const vocab = JSON.parse(readFileSync(join(FIXTURE, 'vocab.json'), 'utf8')) as Record<string, number>;
  const size = Object.keys(vocab).length;
  const config = makeConfig('tiny', {
    vocabSize: size,
    sourceVocabSize: size,
    padId: vocab['<pad>'],
    bosId: vocab['<pad>'],
    eosId: vocab['</s>'],
    finalLogitsBias: true,
    ...overrides,
  });
  const model = new EncoderDecoder(config).eval();
  for (const p of model.namedParameters().values()) {
    const values = p.dense();
    for (let i = 0; i < values.length; i++) values[i] = Math.sin(i * 0.37 + values.length) * 0.3;
  }
  return model;
}

for (const positionalEncoding of ['sinusoidal', 'sinusoidal-halves'] as const) {
  for (const activation of ['relu', 'gelu', 'swish'] as const) {
    test(`our ${positionalEncoding} ${activation} model exports as a Marian folder computing the same logits`, async () => {
      const { tokenizer } = await loadMarian(FIXTURE);
      const model = ourModel({ positionalEncoding, activation, scaleEmbedding: activation !== 'gelu' });
      const dir = join(root, `ours-${positionalEncoding}-${activation}`);
      saveMarian(dir, model, { tokenizer });
      const again = await loadMarian(dir);
      assert.equal(again.model.config.positionalEncoding, 'sinusoidal-halves');
      const { source, decoderInput } = expected.logits;
      const [a, b] = [model, again.model].map((m) => logitsOf(m, tensorOf(source), tensorOf(decoderInput)));
      assert.ok(maxDifference(a, b) < 1e-5, `logits differ by ${maxDifference(a, b)}`);
    });
  }
}

test('untied and unshared models export and load', async () => {
  const { tokenizer } = await loadMarian(FIXTURE);
  const model = ourModel({ tieOutput: false, shareEmbeddings: false });
  const dir = join(root, 'untied');
  saveMarian(dir, model, { tokenizer });
  const names = [...readSafetensors(join(dir, 'model.safetensors')).tensors.keys()];
  for (const name of ['model.encoder.embed_tokens.weight', 'model.decoder.embed_tokens.weight', 'lm_head.weight'])
    assert.ok(names.includes(name), name);
  const again = await loadMarian(dir);
  const { source, decoderInput } = expected.logits;
  const [a, b] = [model, again.model].map((m) => logitsOf(m, tensorOf(source), tensorOf(decoderInput)));
  assert.ok(maxDifference(a, b) < 1e-5);
});

test('models Marian cannot express are refused with the reason', () => {
  assert.throws(() => saveMarian(join(root, 'pre'), ourModel({ normPosition: 'pre' })), /pre-norm/);
  assert.throws(
    () => saveMarian(join(root, 'learned'), ourModel({ positionalEncoding: 'learned' })),
    /learned its own/,
  );
});

/** A copy of the fixture with config.json edited, or the weights rewritten by `edit`. */
function brokenFolder(
  name: string,
  config: (c: Record<string, unknown>) => void = () => {},
  edit: (tensors: Map<string, TensorToWrite>) => void = () => {},
): string {
  const dir = join(root, name);
  cpSync(FIXTURE, dir, { recursive: true });
  const configPath = join(dir, 'config.json');
  const json = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  config(json);
  writeFileSync(configPath, JSON.stringify(json));
  const weights = join(dir, 'model.safetensors');
  const tensors = new Map<string, TensorToWrite>(readSafetensors(weights).tensors);
  edit(tensors);
  writeSafetensors(weights, tensors);
  return dir;
}

test('tied copies and stored position tables are accepted when they agree', async () => {
  const dir = brokenFolder('aliases', undefined, (tensors) => {
    const shared = tensors.get('model.shared.weight')!;
    tensors.set('lm_head.weight', shared);
    tensors.set('model.encoder.embed_tokens.weight', shared);
    const positions = Float32Array.from({ length: 64 * 32 }, (_, i) => {
      const [pos, j] = [Math.floor(i / 32), i % 32];
      const angle = pos / 10000 ** ((2 * (j % 16)) / 32);
      return j < 16 ? Math.sin(angle) : Math.cos(angle);
    });
    tensors.set('model.encoder.embed_positions.weight', { shape: [64, 32], data: positions });
  });
  const { model } = await loadMarian(dir);
  const { model: untouched } = await loadMarian(FIXTURE);
  const source = tensorOf(expected.logits.source);
  const decoderInput = tensorOf(expected.logits.decoderInput);
  assert.deepEqual(logitsOf(model, source, decoderInput), logitsOf(untouched, source, decoderInput));
});

const broken: [string, () => string, RegExp][] = [
  [
    'a missing config key',
    () => brokenFolder('no-d-model', (c) => delete c.d_model),
    /config\.json: "d_model" is missing/,
  ],
  ['another model type', () => brokenFolder('bart', (c) => (c.model_type = 'bart')), /"model_type" must be "marian"/],
  [
    'different head counts',
    () => brokenFolder('heads', (c) => (c.decoder_attention_heads = 2)),
    /"encoder_attention_heads" 4 differs from "decoder_attention_heads" 2/,
  ],
  [
    'an unknown activation',
    () => brokenFolder('tanh', (c) => (c.activation_function = 'tanh')),
    /"activation_function" "tanh" is not one of/,
  ],
  ['pre-norm', () => brokenFolder('pre', (c) => (c.normalize_before = true)), /"normalize_before" is true/],
  [
    'a negative banned id (found by the fuzz test)',
    () => brokenFolder('banned-negative', (c) => (c.bad_words_ids = [[-1]])),
    /config\.json: banned id -1 is outside the vocabulary of 330/,
  ],
  [
    'a banned id past the vocabulary',
    () => brokenFolder('banned-past', (c) => (c.bad_words_ids = [[330]])),
    /config\.json: banned id 330 is outside the vocabulary of 330/,
  ],
  [
    'an eos id vocab.json contradicts',
    () => brokenFolder('eos', (c) => (c.eos_token_id = 1)),
    /"eos_token_id" is 1, but .*vocab\.json gives <\/s> the id 0/,
  ],
  [
    'a missing weight',
    () => brokenFolder('missing', undefined, (t) => t.delete('model.decoder.layers.1.fc2.bias')),
    /model\.safetensors does not fit[^]*missing model\.decoder\.layers\.1\.fc2\.bias/,
  ],
  [
    'a mis-shaped weight',
    () =>
      brokenFolder('shape', undefined, (t) =>
        t.set('model.encoder.layers.0.self_attn.k_proj.weight', { shape: [16, 32], data: new Float32Array(512) }),
      ),
    /wrong shape: .*k_proj\.weight \[16, 32\]/,
  ],
  [
    'an unexpected weight',
    () =>
      brokenFolder('extra', undefined, (t) =>
        t.set('model.encoder.layernorm_embedding.weight', { shape: [32], data: new Float32Array(32) }),
      ),
    /unexpected model\.encoder\.layernorm_embedding\.weight/,
  ],
  [
    'tied copies that differ',
    () =>
      brokenFolder('untied', undefined, (t) => {
        const shared = t.get('model.shared.weight')!;
        t.set('lm_head.weight', { shape: shared.shape, data: new Float32Array(shared.data.length) });
      }),
    /lm_head\.weight differs from model\.shared\.weight/,
  ],
  [
    'positions that are not the sinusoids',
    () =>
      brokenFolder('positions', undefined, (t) =>
        t.set('model.decoder.embed_positions.weight', { shape: [64, 32], data: new Float32Array(64 * 32) }),
      ),
    /embed_positions\.weight: not the sines-then-cosines table/,
  ],
  [
    'a missing source.spm',
    () => {
      const dir = brokenFolder('no-spm');
      rmSync(join(dir, 'source.spm'));
      return dir;
    },
    /source\.spm: missing/,
  ],
  [
    'a bad words entry longer than one token',
    () => brokenFolder('bad-words', (c) => (c.bad_words_ids = [[1, 2]])),
    /"bad_words_ids" entry \[1,2\] is not a single token id/,
  ],
];

for (const [what, make, message] of broken) {
  test(`a Marian folder with ${what} is refused with a clear error`, async () => {
    await assert.rejects(loadMarian(make()), message);
  });
}

test('generation_config.json overrides the generation keys of config.json', async () => {
  const dir = brokenFolder('generation');
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ num_beams: 6, max_length: 30 }));
  const { generation } = await loadMarian(dir);
  assert.deepEqual(generation, { beam: 6, maxLength: 30, bannedIds: [] });
});

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TRANSFORMER_THREADS: '2' },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test('transformer translate reads a Marian folder with its tokenizer and search settings', async () => {
  const { tokenizer } = await loadMarian(FIXTURE);
  const { options, sentences } = expected.beam;
  const input = join(root, 'input.txt');
  writeFileSync(input, sentences.map((s) => `${s.text}\n`).join(''));
  const run = cli('translate', '--model', FIXTURE, '--input', input, '--max-len-b', String(options.maxLenB));
  assert.equal(run.code, 0, run.err);
  assert.deepEqual(
    run.out.split('\n').slice(0, -1),
    sentences.map((s) => tokenizer.decode(s.hypotheses[0].tokens)),
  );
});

const CORPUS = [
  'The school was a long way from the house, and the house was a long way from the river.',
  'I had never seen such a thing in my life, and nobody in the village had seen it either.',
  'The teacher wrote a letter to the headmaster, who read it twice and said nothing at all.',
  'Mathematics was taught in the morning; in the afternoon the boys went down to the sea.',
  'Naïve café owners sell crème brûlée to the students who come in the evening.',
];

test('export-marian writes our model and BPE tokenizer as a Marian folder that loads back', async () => {
  const tokenizer = learnBpe(Array.from({ length: 20 }, () => CORPUS).flat(), { vocabSize: 420 });
  const tokenizerPath = join(root, 'bpe.json');
  await tokenizer.save(tokenizerPath);
  const model = new EncoderDecoder(makeConfig('tiny', { vocabSize: 420 })).eval();
  const dir = join(root, 'ours-with-bpe');
  await saveModel(dir, model, { tokenizerPath });
  const out = join(root, 'exported-bpe');
  const run = cli('export-marian', '--model', dir, '--out', out);
  assert.equal(run.code, 0, run.err);
  const again = await loadMarian(out);
  const ids = Tensor.from(Int32Array.from([5, 6, 7, 8, 3, 4, 9, 2]), [2, 4]);
  const [a, b] = [model, again.model].map((m) => logitsOf(m, ids, ids));
  assert.ok(maxDifference(a, b) < 1e-5);
  let same = 0;
  const lines = [...CORPUS, 'A sentence the tokenizer never saw, with ünusual letters.'];
  for (const line of lines) {
    const ours = [...tokenizer.encode(line, { addEos: true })];
    const theirs = [...again.tokenizer.encode(line, { addEos: true })];
    if (ours.join() === theirs.join()) same++;
    assert.equal(again.tokenizer.decode(theirs), line, 'the SentencePiece model decodes what it encodes');
  }
  assert.ok(same >= lines.length - 1, `${same} of ${lines.length} lines segment as ours`);
  assert.equal(cli('export-marian', '--model', dir, '--out', out).code, 2, 'an existing folder is not overwritten');
});

test('a piece SentencePiece reaches through another pair than our merge segments differently (the documented limit)', () => {
  const tokenizer = new Tokenizer({
    specialTokens: [...CONTROL_TOKENS],
    alphabet: ['\u2581', 'a', 'b', 'c', 'd'],
    merges: [
      ['a', 'b'],
      ['c', 'd'],
      ['ab', 'c'],
      ['abc', 'd'],
    ],
  });
  const exported = marianTokenizerFromBpe(tokenizer);
  assert.deepEqual(tokenizer.encodePieces('abcd'), ['\u2581', 'ab', 'cd']);
  assert.deepEqual(exported.encodePieces('abcd'), ['\u2581', 'abcd']);
  assert.deepEqual(exported.encodePieces('abc cd ab'), tokenizer.encodePieces('abc cd ab'));
});

test('transformer serve translates with a Marian folder', async () => {
  const { startServer } = await import('../../src/serve/server.js');
  const server = await startServer({ modelDir: FIXTURE, port: 0, threads: 1 });
  try {
    const { tokenizer } = await loadMarian(FIXTURE);
    const text = expected.beam.sentences[0].text;
    const reply = await fetch(new URL('/api/translate', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text, beam: 4 }),
    });
    assert.equal(reply.status, 200);
    const body = (await reply.json()) as { translation: string; source: { tokens: string[] } };
    assert.deepEqual(body.source.tokens, [
      ...tokenizer.encodePieces(text).map((p) => (tokenizer.pieceToId(p) === undefined ? '<unk>' : p)),
      '</s>',
    ]);
    assert.equal(typeof body.translation, 'string');
  } finally {
    await server.close();
  }
});
