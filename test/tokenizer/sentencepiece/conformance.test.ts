// Conformance with the sentencepiece library: its test_model.model (test/fixtures/third-party/sentencepiece)
// against its vocabulary dump and confirmed encoding, and every model against the encodings
// scripts/make_spm_fixtures.py recorded from sentencepiece 0.1.97 (test/fixtures/spm).

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { SentencePieceModel } from '../../../src/tokenizer/sentencepiece/index.js';
import { thirdPartyBytes, thirdPartyLines, thirdPartyText } from '../../helpers/third-party.js';

// From dist/test/tokenizer/sentencepiece/ back to the sources' test/fixtures/spm/.
const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/spm/', import.meta.url));

interface Case {
  /** A 1-based line of spm/botchan.txt, or the text itself. */
  line?: number;
  text?: string;
  ids: number[];
  pieces: string[];
  decoded: string;
  decodedPieces: string;
}

function fixture(name: string): { model: string; cases: Case[] } {
  const f = JSON.parse(readFileSync(`${FIXTURES}${name}`, 'utf8'));
  if (f.format !== 'transformer-ts sentencepiece fixture' || f.version !== 1)
    throw new Error(`${name}: not a version 1 sentencepiece fixture; regenerate with scripts/make_spm_fixtures.py`);
  return f;
}

/** Split on "\n" only, keeping each line's "\r" and the first line's U+FEFF, as the fixture script does. */
const botchan = () => thirdPartyLines('sentencepiece/botchan.txt');

function check(model: SentencePieceModel, cases: Case[], lines: string[] = []): number {
  for (const c of cases) {
    const text = c.line !== undefined ? lines[c.line - 1] : c.text!;
    const where = c.line !== undefined ? `botchan.txt line ${c.line}` : JSON.stringify(text);
    assert.deepEqual(model.encode(text), c.ids, `${where}: ids`);
    assert.deepEqual(model.encodePieces(text), c.pieces, `${where}: pieces`);
    assert.equal(model.decode(c.ids), c.decoded, `${where}: decode(ids)`);
    assert.equal(model.decodePieces(c.pieces), c.decodedPieces, `${where}: decode(pieces)`);
  }
  return cases.length;
}

const testModel = () =>
  SentencePieceModel.fromBytes(thirdPartyBytes('sentencepiece/test_model.model'), 'test_model.model');

test('test_model.model: the vocabulary is test_model.vocab.tsv, pieces, scores and types', () => {
  const model = testModel();
  const rows = thirdPartyText('sentencepiece/test_model.vocab.tsv').split('\n').slice(0, -1);
  assert.equal(model.size, rows.length);
  assert.deepEqual([model.type, model.unkId, model.bosId, model.eosId, model.padId], ['unigram', 0, 1, 2, -1]);
  for (const row of rows) {
    const [id, piece, score, type] = row.split('\t');
    const p = model.proto.pieces[Number(id)];
    assert.equal(model.idToPiece(Number(id)), piece, `piece ${id}`);
    assert.equal(model.pieceToId(piece), Number(id));
    assert.equal(p.score.toFixed(6), score, `score of piece ${id}`);
    assert.equal(p.type, Number(type), `type of piece ${id}`);
  }
});

test('test_model.model: EXPECTED_ENCODINGS.tsv reproduces exactly', () => {
  const model = testModel();
  const rows = thirdPartyText('sentencepiece/EXPECTED_ENCODINGS.tsv').trim().split('\n').slice(1);
  assert.ok(rows.length >= 1);
  for (const row of rows) {
    const [input, ids, pieces] = row.split('\t');
    const text = JSON.parse(input);
    assert.deepEqual(model.encode(text), ids.split(' ').map(Number), `${input}: ids`);
    assert.deepEqual(model.encodePieces(text), pieces.split(' '), `${input}: pieces`);
  }
});

test('test_model.model encodes and decodes as sentencepiece does (nmt_nfkc, unknowns merged)', () => {
  const { cases } = fixture('test_model.json');
  assert.ok(check(testModel(), cases, botchan()) > 350);
});

for (const name of ['bpe', 'unigram-bytes']) {
  const load = () => SentencePieceModel.fromBytes(readFileSync(`${FIXTURES}${name}.model`), `${name}.model`);

  test(`${name}.model encodes and decodes the fixture's strings as sentencepiece does`, () => {
    const { cases } = fixture(`${name}.json`);
    assert.ok(
      check(
        load(),
        cases.filter((c) => c.line === undefined),
      ) > 30,
    );
  });

  test(`${name}.model encodes and decodes botchan.txt lines as sentencepiece does`, () => {
    const { cases } = fixture(`${name}.json`);
    assert.ok(
      check(
        load(),
        cases.filter((c) => c.line !== undefined),
        botchan(),
      ) > 300,
    );
  });

  test(`${name}.model: with byte fallback, decode(encode(x)) is x normalized`, () => {
    const model = load();
    assert.ok(model.proto.trainerSpec.byteFallback);
    for (const c of fixture(`${name}.json`).cases) {
      if (c.text === undefined || c.text.includes('\u2581')) continue;
      const normalized = model.normalize(c.text).replaceAll('\u2581', ' ').replace(/^ /, '');
      assert.equal(model.decode(model.encode(c.text)), normalized, JSON.stringify(c.text));
    }
  });
}

test('bpe.model: byte pieces decode as UTF-8, a malformed byte as U+FFFD; control pieces vanish', () => {
  const model = SentencePieceModel.fromBytes(readFileSync(`${FIXTURES}bpe.model`), 'bpe.model');
  const byte = (b: number) => model.pieceToId(`<0x${b.toString(16).toUpperCase()}>`)!;
  const smile = [0xf0, 0x9f, 0x98, 0x80].map(byte);
  assert.equal(model.decode([model.bosId, ...smile, model.eosId]), '\u{1F600}');
  assert.equal(model.decode([byte(0xe2), byte(0x82), ...model.encode('a')]), '\ufffd\ufffd a');
  assert.equal(model.decode([byte(0xef), byte(0xbb), byte(0xbf)]), '\ufeff', 'a byte-order mark is text');
});
