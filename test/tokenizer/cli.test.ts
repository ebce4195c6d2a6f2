// `transformer tokenizer learn|encode|decode` as users run it, on temporary files.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tokenizer-cli-'));

function run(args: string[], input = '') {
  const result = spawnSync(process.execPath, [bin, 'tokenizer', ...args], { input, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const de = join(dir, 'train.de');
const en = join(dir, 'train.en');
writeFileSync(de, 'Ein Mann fährt Fahrrad.\nZwei Hunde spielen im Schnee.\n'.repeat(20));
writeFileSync(en, 'A man rides a bike.\nTwo dogs play in the snow.\n'.repeat(20));
const model = join(dir, 'tokenizer.json');

test('learn, encode to ids and pieces, decode back', () => {
  const learn = run(['learn', '--input', de, '--input', en, '--vocab-size', '400', '--output', model]);
  assert.equal(learn.code, 0, learn.err);
  const size = Number(/(\d+) pieces/.exec(learn.out)?.[1]);
  assert.ok(size > 300 && size <= 400, learn.out);
  const text = 'Ein Mann spielt  im Schnee.\n A dog ▁ 🐕\n\n';
  const ids = run(['encode', '--tokenizer', model], text);
  assert.equal(ids.code, 0, ids.err);
  assert.match(ids.out, /^\d+( \d+)*\n/);
  assert.equal(ids.out.split('\n').length, 4);
  const pieces = run(['encode', '--tokenizer', model, '--pieces'], 'Ein Mann\n');
  assert.equal(pieces.out, '▁Ein ▁Mann\n');
  const back = run(['decode', '--tokenizer', model], ids.out);
  assert.equal(back.code, 0, back.err);
  assert.equal(back.out, text);
});

test('bad input is one clear line: exit code 1 for the files, 2 for the command line', () => {
  const missing = run(['learn', '--input', join(dir, 'nope.txt'), '--vocab-size', '300', '--output', model]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.txt/);
  assert.doesNotMatch(missing.err, /at .*\.js:\d+/);
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, Buffer.concat([Buffer.from('fine\nalso fine\n'), Buffer.from([0x61, 0xff, 0x0a])]));
  const invalid = run(['learn', '--input', bad, '--vocab-size', '300', '--output', model]);
  assert.equal(invalid.code, 1);
  assert.match(invalid.err, /bad\.txt:3: invalid UTF-8 byte 0xff at byte column 2/);
  assert.match(
    run(['learn', '--input', en, '--vocab-size', 'many', '--output', model]).err,
    /--vocab-size must be an integer/,
  );
  assert.match(run(['encode']).err, /--tokenizer FILE is required/);
  assert.match(run(['encode', '--tokenizer', en]).err, /train\.en: not valid JSON/);
  assert.match(run(['decode', '--tokenizer', model], '5 x\n').err, /stdin:1: "x" is not a token id/);
  assert.equal(run(['frobnicate']).code, 2);
});
