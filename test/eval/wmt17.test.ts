// Conformance on real data: the 16 WMT17 English-German systems scored against newstest2017
// (test/fixtures/third-party/sacrebleu/wmt17_en_de), score and n-gram statistics as sacreBLEU 2.6
// reports them.

import test from 'node:test';
import assert from 'node:assert/strict';

import { corpusBleu, corpusChrf, formatBleu, formatFixed } from '../../src/eval/index.js';
import { thirdPartyLines } from '../helpers/third-party.js';

// As sacreBLEU's command reads them: UTF-8, split on "\n" only, a byte-order mark kept.
const lines = (name: string) => thirdPartyLines(`sacrebleu/wmt17_en_de/${name}`);

const table = (name: string) =>
  lines(name)
    .slice(1)
    .map((l) => l.split('\t'));

test('BLEU of all 16 WMT17 en-de systems matches sacreBLEU, statistics included', (t) => {
  const reference = lines('ref0.de');
  const stats = new Map(table('STATS_13a.tsv').map(([file, ...rest]) => [file, rest]));
  const expected = table('EXPECTED_BLEU_13a.tsv');
  assert.equal(expected.length, 16);
  let worst = 0;
  for (const [file, bleu] of expected) {
    const s = corpusBleu(lines(file), [reference]);
    worst = Math.max(worst, Math.abs(s.score - Number(bleu)));
    assert.ok(Math.abs(s.score - Number(bleu)) < 1e-5, `${file}: ${s.score}, expected ${bleu}`);
    const [hypLen, refLen, correct, total] = stats.get(file)!;
    assert.equal(s.sysLen, Number(hypLen), `${file} hyp_len`);
    assert.equal(s.refLen, Number(refLen), `${file} ref_len`);
    assert.deepEqual(s.counts, correct.split(',').map(Number), `${file} correct`);
    assert.deepEqual(s.totals, total.split(',').map(Number), `${file} total`);
    assert.equal(s.signature, 'nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0');
  }
  t.diagnostic(`largest deviation from sacreBLEU over 16 systems: ${worst.toExponential(2)}`);
});

test('a byte-order mark opening a system output stays part of its first word, as in Python', () => {
  const file = 'newstest2017.online-A.0.en-de.de';
  const hypotheses = lines(file);
  assert.ok(hypotheses[0].startsWith('\ufeff'));
  const expected = Number(table('EXPECTED_BLEU_13a.tsv').find(([f]) => f === file)![1]);
  const kept = corpusBleu(hypotheses, [lines('ref0.de')]).score;
  const dropped = corpusBleu([hypotheses[0].slice(1), ...hypotheses.slice(1)], [lines('ref0.de')]).score;
  assert.ok(Math.abs(kept - expected) < 1e-5);
  // Treating U+FEFF as whitespace (JavaScript's \s does) would move the score by about 1.5e-4.
  assert.ok(Math.abs(dropped - expected) > 1e-4, `${dropped} vs ${expected}`);
});

test("sacreBLEU's README line for online-A, at the precision it prints", () => {
  const s = corpusBleu(lines('newstest2017.online-A.0.en-de.de'), [lines('ref0.de')]);
  // The README shows version 2.0.0's signature and one decimal; the numbers are the same.
  assert.equal(
    formatBleu(s, 1),
    'BLEU = 20.8 54.4/26.6/14.9/8.7 (BP = 1.000 ratio = 1.026 hyp_len = 62880 ref_len = 61287)',
  );
});

test("chrF and chrF++ of WMT17 systems at the precision sacreBLEU's README prints them", () => {
  const reference = [lines('ref0.de')];
  const chrf = (system: string, wordOrder = 0) =>
    corpusChrf(lines(`newstest2017.${system}.en-de.de`), reference, { wordOrder }).score;
  const readme: [string, number, string][] = [
    ['C-3MA.4959', 3, '51.953'],
    ['LIUM-NMT.4900', 1, '55.9'],
    ['online-A.0', 1, '52.0'],
    ['online-B.0', 1, '56.3'],
    ['online-F.0', 1, '49.3'],
    ['online-G.0', 1, '51.6'],
  ];
  for (const [system, digits, expected] of readme) assert.equal(formatFixed(chrf(system), digits), expected, system);
  assert.equal(formatFixed(chrf('online-A.0', 2), 1), '49.0');
});
