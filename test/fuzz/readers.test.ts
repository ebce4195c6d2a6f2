// A seeded fuzz test of every reader: valid files (the committed fixtures and ones built here with the
// library) mutated at random, then read. A read either fails with an InputError, one line naming the
// file, or gives an object that works; anything else (TypeError, RangeError, a stack overflow) is a
// bug and fails the test with the mutation that caused it.
// `npm test` runs a few hundred cases per reader with a fixed seed; `npm run fuzz` runs FUZZ_RUNS cases
// per reader from FUZZ_SEED (printed, to replay a run) and prints what the mutations reached.

import test from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { unzipSync, zipSync } from 'fflate';

import { translateIds } from '../../src/decode/index.js';
import { loadMarian, saveMarian } from '../../src/io/marian.js';
import { marianTokenizerFromBpe } from '../../src/io/marian-spm.js';
import { loadModel, loadTokenizer, saveModel } from '../../src/io/model-folder.js';
import { parsePytorchCheckpoint } from '../../src/io/pytorch/checkpoint.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../src/io/safetensors.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { MarianTokenizer } from '../../src/tokenizer/marian-tokenizer.js';
import { SentencePieceModel } from '../../src/tokenizer/sentencepiece/index.js';
import { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { readOrRefuse, Tally, TEXT, useModel, useSentencePiece, useTokenizer, withEdited } from './harness.js';
import { mutate, mutateSafetensors, mutations, type Mutation } from './mutations.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const RUNS = Number(process.env.FUZZ_RUNS ?? 0);
const SEED = Number(process.env.FUZZ_SEED ?? 20240613);
const root = mkdtempSync(join(tmpdir(), 'fuzz-readers-'));
const tally = new Tally(root);
test.after(() => {
  if (RUNS > 0) tally.print();
  rmSync(root, { recursive: true, force: true });
});
if (RUNS > 0) console.log(`fuzzing with FUZZ_SEED=${SEED}, ${RUNS} cases per reader`);

/** fast-check's settings: `cases` in npm test, FUZZ_RUNS in a long run (which stops at the first failure). */
const settings = (cases: number) => ({ seed: SEED, numRuns: RUNS > 0 ? RUNS : cases, endOnFailure: RUNS > 0 });

/** A folder's file edited: a safetensors file through its JSON header when `header`, else byte by byte or as JSON. */
const editor = (file: string, list: Mutation[], header: boolean) => (bytes: Uint8Array) =>
  file.endsWith('.safetensors') && header ? mutateSafetensors(bytes, list, false) : mutate(bytes, list);

function workingCopy(source: string, name: string): string {
  const dir = join(root, name);
  cpSync(source, dir, { recursive: true });
  return dir;
}

// Valid files to start from, built here: a BPE tokenizer, model folders of every kind, a safetensors
// file with every dtype we write, and a small Marian folder exported from them.
const tokenizerFile = join(root, 'tokenizer.json');
const folders: string[] = [];
const safetensorsFiles: string[] = [];
const smallMarian = join(root, 'small-marian');

test.before(async () => {
  const tokenizer = learnBpe([TEXT, 'a dog ran over the hill', 'the mat is red'], { vocabSize: 290 });
  await tokenizer.save(tokenizerFile);
  T.manualSeed(3);
  const variants = [
    makeConfig('tiny', { vocabSize: 300 }),
    makeConfig('tiny', { kind: 'decoder-only', vocabSize: 300, positionalEncoding: 'learned', normPosition: 'pre' }),
    makeConfig('tiny', { kind: 'encoder-only', vocabSize: 300, head: 'sequence-classification', encoderLayers: 1 }),
  ];
  for (const [i, config] of variants.entries()) {
    const dir = join(root, `model-${i}`);
    await saveModel(dir, createModel(config), { tokenizerPath: tokenizerFile });
    folders.push(dir);
  }
  const mixed = new Map<string, TensorToWrite>(readSafetensors(join(folders[0], 'model.safetensors')).tensors);
  mixed.set('ids', { shape: [2, 3], data: Int32Array.from([0, -1, 5, 7, 2 ** 31 - 1, 3]) });
  mixed.set('doubles', { shape: [3], data: Float64Array.from([1.5, -2, 1e-300]) });
  mixed.set('empty', { shape: [0, 4], data: new Float32Array(0) });
  writeSafetensors(join(root, 'mixed.safetensors'), mixed, { note: 'fuzz' });
  safetensorsFiles.push(
    join(root, 'mixed.safetensors'),
    join(folders[1], 'model.safetensors'),
    join(FIXTURES, 'marian/model.safetensors'),
  );
  const model = createModel(makeConfig('tiny', { vocabSize: tokenizer.vocabSize })) as EncoderDecoder;
  saveMarian(smallMarian, model, {
    tokenizer: marianTokenizerFromBpe(tokenizer),
    generation: { beam: 2, maxLength: 8, bannedIds: [0] },
  });
  writeFileSync(join(smallMarian, 'generation_config.json'), JSON.stringify({ num_beams: 2, bad_words_ids: [[0]] }));
});

test('fuzz: safetensors files, their bytes or their JSON header mutated', async () => {
  const target = join(root, 'target.safetensors');
  const property = fc.asyncProperty(
    fc.nat({ max: 2 }),
    fc.boolean(),
    fc.boolean(),
    mutations(true),
    async (which, header, keepPrefix, list) => {
      const bytes = new Uint8Array(readFileSync(safetensorsFiles[which]));
      writeFileSync(target, header ? mutateSafetensors(bytes, list, keepPrefix) : mutate(bytes, list));
      await readOrRefuse(
        tally,
        'safetensors',
        () => readSafetensors(target),
        ({ tensors }) => {
          for (const t of tensors.values())
            assert.equal(
              t.data.length,
              t.shape.reduce((a, b) => a * b, 1),
            );
        },
        target,
      );
    },
  );
  await fc.assert(property, settings(300));
});

test('fuzz: our model folders, config.json, model.safetensors or tokenizer.json mutated', async () => {
  const copies = folders.map((dir, i) => workingCopy(dir, `model-copy-${i}`));
  const property = fc.asyncProperty(
    fc.nat({ max: 2 }),
    fc.constantFrom('config.json', 'model.safetensors', 'tokenizer.json'),
    fc.boolean(),
    mutations(true),
    async (which, file, header, list) => {
      const dir = copies[which];
      await withEdited(dir, file, editor(file, list, header), async () => {
        await readOrRefuse(tally, `model folder (${file})`, () => loadModel(dir), useModel, dir);
        const tokenizer = () => loadTokenizer(dir) as Promise<Tokenizer>;
        await readOrRefuse(tally, `model folder tokenizer (${file})`, tokenizer, useTokenizer, dir);
      });
    },
  );
  await fc.assert(property, settings(300));
});

test('fuzz: tokenizer.json files', async () => {
  const target = join(root, 'target-tokenizer.json');
  const original = new Uint8Array(readFileSync(tokenizerFile));
  const property = fc.asyncProperty(mutations(true), async (list) => {
    writeFileSync(target, mutate(original, list));
    await readOrRefuse(tally, 'tokenizer.json', () => Tokenizer.load(target), useTokenizer, target);
  });
  await fc.assert(property, settings(300));
});

test('fuzz: SentencePiece .model and .spm files', async () => {
  const originals = ['spm/unigram-bytes.model', 'marian/target.spm', 'spm/bpe.model'].map(
    (f) => [f, new Uint8Array(readFileSync(join(FIXTURES, f)))] as const,
  );
  originals.push(['source.spm (exported)', new Uint8Array(readFileSync(join(smallMarian, 'source.spm')))]);
  const property = fc.asyncProperty(
    // The committed bpe.model (245 kB) costs the most to parse: one case in ten.
    fc.oneof({ arbitrary: fc.constantFrom(0, 1, 3), weight: 9 }, { arbitrary: fc.constant(2), weight: 1 }),
    mutations(false),
    async (which, list) => {
      const [name, bytes] = originals[which];
      const read = () => SentencePieceModel.fromBytes(mutate(bytes, list), name);
      await readOrRefuse(tally, 'sentencepiece', read, useSentencePiece, name);
    },
  );
  await fc.assert(property, settings(300));
});

/** A Marian folder: the small exported one, or (one case in four) the committed fixture. */
const marianFolder = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.constant(1), weight: 1 });

test('fuzz: Marian vocab.json, tokenizer_config.json and .spm files read by MarianTokenizer', async () => {
  const dirs = [
    workingCopy(smallMarian, 'marian-tokenizer-0'),
    workingCopy(join(FIXTURES, 'marian'), 'marian-tokenizer-1'),
  ];
  writeFileSync(join(dirs[0], 'tokenizer_config.json'), JSON.stringify({ separate_vocabs: false, unk_token: '<unk>' }));
  const property = fc.asyncProperty(
    marianFolder,
    fc.constantFrom('vocab.json', 'vocab.json', 'tokenizer_config.json', 'target.spm'),
    mutations(true),
    async (which, file, list) => {
      const dir = dirs[which];
      await withEdited(dir, file, editor(file, list, false), () =>
        readOrRefuse(
          tally,
          `MarianTokenizer (${file})`,
          () => MarianTokenizer.load(dir),
          (tokenizer) => {
            const ids = tokenizer.encode(TEXT, { addEos: true });
            assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0));
            assert.equal(typeof tokenizer.decode(ids), 'string');
          },
          dir,
        ),
      );
    },
  );
  await fc.assert(property, settings(300));
});

test('fuzz: Marian folders, config.json, generation_config.json, vocab.json or model.safetensors mutated', async () => {
  const dirs = [workingCopy(smallMarian, 'marian-0'), workingCopy(join(FIXTURES, 'marian'), 'marian-1')];
  const generation = { num_beams: 2, max_length: 8, bad_words_ids: [[329]] };
  writeFileSync(join(dirs[1], 'generation_config.json'), JSON.stringify(generation));
  const property = fc.asyncProperty(
    marianFolder,
    fc.constantFrom('config.json', 'config.json', 'generation_config.json', 'vocab.json', 'model.safetensors'),
    fc.boolean(),
    mutations(true),
    async (which, file, header, list) => {
      const dir = dirs[which];
      await withEdited(dir, file, editor(file, list, header), () =>
        readOrRefuse(
          tally,
          `Marian folder (${file})`,
          () => loadMarian(dir),
          ({ model, tokenizer, generation }) => {
            const ids = [...tokenizer.encode(TEXT, { addEos: true })];
            const options = { beam: Math.min(generation.beam, 2), maxLenA: 0, maxLenB: 3 };
            const [[h]] = translateIds(model, [ids], options);
            assert.ok(h.tokens.length <= 3);
            assert.equal(typeof tokenizer.decode(h.tokens), 'string');
          },
          dir,
        ),
      );
    },
  );
  await fc.assert(property, settings(300));
});

test('fuzz: PyTorch checkpoints, their bytes or (zip format) their pickle mutated', async () => {
  const names = ['zip.bin', 'legacy.bin', 'dtypes.bin', 'evil-system.bin'];
  const originals = names.map((name) => new Uint8Array(readFileSync(join(FIXTURES, 'pytorch', name))));
  const property = fc.asyncProperty(
    fc.nat({ max: names.length - 1 }),
    fc.boolean(),
    mutations(false),
    async (which, inPickle, list) => {
      const name = names[which];
      let bytes: Uint8Array = mutate(originals[which], list);
      if (inPickle && which !== 1) {
        // The pickle is a small part of the file: mutated alone, and stored again as PyTorch stores it.
        const entries = unzipSync(originals[which]);
        const pickle = Object.keys(entries).find((entry) => entry.endsWith('/data.pkl'))!;
        entries[pickle] = new Uint8Array(mutate(entries[pickle], list));
        bytes = zipSync(entries, { level: 0 });
      }
      await readOrRefuse(
        tally,
        'pytorch checkpoint',
        () => parsePytorchCheckpoint(bytes, name),
        (tensors) => {
          for (const t of tensors.values())
            assert.equal(
              t.data.length,
              t.shape.reduce((a, b) => a * b, 1),
            );
        },
        name,
      );
    },
  );
  await fc.assert(property, settings(300));
});
