// `transformer plot`: every picture as SVG and PNG from a tiny model folder and a run folder, the values in
// the cells, the translation on standard output, and one-line usage errors.

import test, { mock } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { main } from '../../src/cli/main.js';
import { attentionWeights } from '../../src/decode/attention-weights.js';
import { translateIds } from '../../src/decode/translate-lines.js';
import { saveModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import { sinusoidTable } from '../../src/model/embeddings.js';
import * as T from '../../src/tensor/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { escapeXml, formatValue, headAverage } from '../../src/viz/index.js';
import { cells, count, parsedSize } from '../viz/svg-check.js';
import { runCliAsync } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'plot-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const sentences = ['ein Haus am See', 'zwei Hunde laufen', 'der Mann liest ein Buch', 'Häuser und Hunde'];
const tokenizer = learnBpe(sentences, { vocabSize: 300 });
const tokenizerPath = join(root, 'tokenizer.json');
await tokenizer.save(tokenizerPath);
T.manualSeed(3);
const model = createModel(makeConfig('tiny', { vocabSize: tokenizer.vocabSize })).eval() as EncoderDecoder;
const modelDir = join(root, 'model');
await saveModel(modelDir, model, { tokenizerPath });

const runDir = join(root, 'run');
mkdirSync(runDir);
const record = (entry: object) => `${JSON.stringify(entry)}\n`;
writeFileSync(
  join(runDir, 'metrics.jsonl'),
  record({ event: 'start' }) +
    Array.from({ length: 100 }, (_, i) =>
      record({
        event: 'step',
        step: i + 1,
        loss: 9 - i / 10,
        ppl: 1,
        lr: (i + 1) * 1e-5,
        gradNorm: 1,
        elapsedSeconds: i,
      }),
    ).join('') +
    record({ event: 'validation', step: 20, loss: 7.5, ppl: 1800, bleu: 3.5, best: true }) +
    record({ event: 'validation', step: 40, loss: 6.5, ppl: 660, bleu: 7.25, best: true }),
);

/** The real command in its own process. */
const run = (...args: string[]) => runCliAsync(['plot', ...args], { env: { TRANSFORMER_THREADS: '1' } });

/** The same command in this process: quicker for the many ways to get it wrong. */
async function runHere(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = mock.method(console, 'log', (line: string) => out.push(line));
  const error = mock.method(console, 'error', (line: string) => err.push(line));
  try {
    const code = await main(['plot', ...args]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mock.restore();
    error.mock.restore();
  }
}

const svgOf = (path: string) => {
  const svg = readFileSync(path, 'utf8');
  return { svg, size: parsedSize(svg) };
};

/** The PNG signature, then IHDR's width and height. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const text = 'der Mann liest';

test('plot attention: the translation on stdout, every head and the average of the chosen layer, as SVG and PNG', async () => {
  const [svgPath, pngPath, encoderPath] = ['cross.svg', 'cross.png', 'encoder.svg'].map((f) => join(root, f));
  const results = await Promise.all([
    run('attention', '--model', modelDir, '--text', text, '--out', svgPath),
    run('attention', '--model', modelDir, '--text', text, '--out', pngPath),
    run('attention', '--model', modelDir, '--text', text, '--kind', 'encoder', '--layer', '0', '--out', encoderPath),
  ]);
  for (const r of results) assert.equal(r.code, 0, r.err);

  const source = [...tokenizer.encode(text, { addEos: true })];
  const [best] = translateIds(model, [source], { beam: 1 })[0];
  assert.equal(results[0].out, `${tokenizer.decode(best.tokens)}\n`);
  const maps = attentionWeights(model, source, best.tokens);
  const [Tq, Tk] = [best.tokens.length + 1, source.length];

  const { svg, size } = svgOf(svgPath);
  assert.ok(svg.includes('>decoder.layers.1.crossAttention</text>'));
  const drawn = cells(svg);
  assert.equal(drawn.length, 5 * Tq * Tk, '4 heads and their average');
  const cross = maps.find((m) => m.name === 'decoder.layers.1.crossAttention')!;
  assert.deepEqual(
    drawn.slice(0, Tq * Tk).map((c) => c.value),
    [...cross.weights.subarray(0, Tq * Tk)].map(formatValue),
  );
  assert.deepEqual(
    drawn.slice(4 * Tq * Tk).map((c) => c.value),
    [...headAverage(cross)].map(formatValue),
  );
  // Queries are the tokens produced (the output pieces and "</s>"), keys the source pieces and "</s>".
  const first = escapeXml(best.tokens.length > 0 ? tokenizer.idToPiece(best.tokens[0]) : '</s>');
  assert.ok(drawn[0].title.startsWith(`${first} → ${escapeXml(tokenizer.idToPiece(source[0]))}:`), drawn[0].title);
  assert.ok(drawn[Tq * Tk - 1].title.startsWith('&lt;/s&gt; → &lt;/s&gt;:'), drawn[Tq * Tk - 1].title);
  assert.deepEqual(pngSize(pngPath), size);

  const encoder = svgOf(encoderPath).svg;
  assert.ok(encoder.includes('>encoder.layers.0.selfAttention</text>'));
  assert.equal(cells(encoder).length, 5 * Tk * Tk);
});

test('plot pe: the sinusoid table, from a model folder or a width', async () => {
  const [dimPath, modelPath, pngPath] = ['pe-dim.svg', 'pe-model.svg', 'pe.png'].map((f) => join(root, f));
  const results = await Promise.all([
    runHere('pe', '--dim', '12', '--length', '7', '--halves', '--out', dimPath),
    runHere('pe', '--model', modelDir, '--length', '5', '--out', modelPath),
    run('pe', '--dim', '512', '--out', pngPath),
  ]);
  for (const r of results) assert.equal(r.code, 0, r.err);
  const table = sinusoidTable(7, 12, true);
  const drawn = cells(svgOf(dimPath).svg);
  assert.equal(drawn.length, 7 * 12);
  assert.deepEqual(
    drawn.map((c) => c.value),
    [...table].map(formatValue),
  );
  const fromModel = svgOf(modelPath).svg;
  assert.equal(count(fromModel, /class="cell"/), 5 * 16);
  assert.ok(fromModel.includes('d_model 16 (sines and cosines interleaved)'));
  const png = pngSize(pngPath);
  assert.ok(png.width > 1024 && png.width < 1400 && png.height > 600, `${png.width} x ${png.height}`);
});

test('plot lr: one curve per warm-up of the schedule, or the rates a run used', async () => {
  const [schedulePath, runPath, pngPath] = ['lr.svg', 'lr-run.svg', 'lr.png'].map((f) => join(root, f));
  const results = await Promise.all([
    runHere('lr', '--d-model', '512', '--warmup', '4000,8000', '--steps', '20000', '--out', schedulePath),
    runHere('lr', '--run', runDir, '--out', runPath),
    run(
      'lr',
      '--d-model',
      '256',
      '--warmup',
      '100',
      '--steps',
      '500',
      '--schedule',
      'cosine',
      '--lr',
      '1e-3',
      '--out',
      pngPath,
    ),
  ]);
  for (const r of results) assert.equal(r.code, 0, r.err);
  const { svg } = svgOf(schedulePath);
  assert.deepEqual(
    [...svg.matchAll(/class="series" data-name="([^"]+)"/g)].map((m) => m[1]),
    ['d_model 512, warmup 4000', 'd_model 512, warmup 8000'],
  );
  // The peak 512^-0.5 * 4000^-0.5 = 6.99e-4 sets the top tick.
  assert.ok(svg.includes('>7e-4</text>') && !svg.includes('>8e-4</text>'));
  const fromRun = svgOf(runPath).svg;
  assert.equal(count(fromRun, /class="series"/), 1);
  assert.ok(fromRun.includes('>1.0e-3</text>'), 'the run reached 100 * 1e-5');
  assert.deepEqual(pngSize(pngPath), { width: 720, height: 400 });
});

test('plot metrics: training and validation loss, and validation BLEU', async () => {
  const [svgPath, pngPath] = ['metrics.svg', 'metrics.png'].map((f) => join(root, f));
  const results = await Promise.all([
    runHere('metrics', '--run', runDir, '--out', svgPath),
    run('metrics', '--run', runDir, '--out', pngPath),
  ]);
  for (const r of results) assert.equal(r.code, 0, r.err);
  const { svg, size } = svgOf(svgPath);
  assert.deepEqual(
    [...svg.matchAll(/class="series" data-name="([^"]+)"/g)].map((m) => m[1]),
    ['training', 'training, mean of 2 steps', 'validation', 'BLEU'],
  );
  assert.equal(count(svg, /class="marker"/), 2 + 2, 'the validations are dots too');
  assert.deepEqual(pngSize(pngPath), size);
});

test('bad input is one line naming the flag, file or line: exit 2 for the command line, 1 for the files', async () => {
  const badRun = join(root, 'bad-run');
  mkdirSync(badRun);
  writeFileSync(
    join(badRun, 'metrics.jsonl'),
    record({ event: 'step', step: 1, loss: 2, lr: 1, elapsedSeconds: 1 }) + '{oops\n',
  );
  // A model with more tokens than its tokenizer: this seed makes it say one the tokenizer lacks.
  const mismatched = join(root, 'mismatched');
  T.manualSeed(3);
  await saveModel(mismatched, createModel(makeConfig('tiny', { vocabSize: 300 })), { tokenizerPath });
  const decoderOnly = join(root, 'decoder-only');
  await saveModel(decoderOnly, createModel(makeConfig('tiny', { kind: 'decoder-only' })));
  const out = join(root, 'x.svg');
  const cases: [string[], RegExp, number?][] = [
    [[], /which picture\? \(one of attention, pe, lr, metrics;/],
    [['heatmap'], /unknown picture "heatmap"/],
    [['pe', '--dim', '8'], /--out must name a file ending in .svg or .png, got nothing/],
    [['pe', '--dim', '8', '--out', 'x.jpg'], /--out must name a file ending in .svg or .png, got "x.jpg"/],
    [['pe', '--out', out], /give either --model DIR or --dim D/],
    [['pe', '--dim', '7', '--out', out], /--dim must be even/],
    [['pe', '--dim', '512', '--length', '5000', '--out', out], /lower --length/],
    [['pe', '--model', join(root, 'nowhere'), '--out', out], /nowhere.*config\.json: cannot read it/, 1],
    [['attention', '--model', modelDir, '--out', out], /--text "SENTENCE" is required/],
    [
      ['attention', '--model', modelDir, '--text', text, '--kind', 'sideways', '--out', out],
      /--kind must be one of cross, encoder, decoder, got "sideways"/,
    ],
    [
      ['attention', '--model', modelDir, '--text', text, '--layer', '2', '--out', out],
      /--layer must be an integer from 0 to 1, got "2"/,
    ],
    [
      ['attention', '--model', modelDir, '--text', text, '--beam', '0', '--out', out],
      /--beam must be an integer from 1/,
    ],
    [
      ['attention', '--model', mismatched, '--text', text, '--out', out],
      /token id \d+, which .*mismatched's tokenizer \(\d+ pieces\) does not have/,
      1,
    ],
    [['attention', '--model', decoderOnly, '--text', text, '--out', out], /needs an encoder-decoder model/, 1],
    [
      ['attention', '--model', modelDir, '--text', text, '--out', join(root, 'no', 'such', 'dir.svg')],
      /no\/such\/dir\.svg: no such file or folder \(ENOENT\)$/,
      1,
    ],
    [['lr', '--d-model', '512', '--steps', '10', '--out', out], /--warmup is required/],
    [
      ['lr', '--d-model', '512', '--warmup', '4000,x', '--steps', '10', '--out', out],
      /--warmup must be an integer from 1 up, got "x"/,
    ],
    [
      ['lr', '--d-model', '512', '--warmup', '40', '--steps', '10', '--schedule', 'step', '--out', out],
      /--schedule must be one of paper/,
    ],
    [['lr', '--run', runDir, '--warmup', '40', '--out', out], /--warmup goes with --d-model/],
    [['metrics', '--out', out], /--run DIR is required/],
    [['metrics', '--run', join(root, 'empty-run'), '--out', out], /empty-run\/metrics\.jsonl: no such file/, 1],
    [['metrics', '--run', badRun, '--out', out], /bad-run\/metrics\.jsonl line 2: not valid JSON/, 1],
    [['metrics', '--run', runDir, '--bogus', '--out', out], /bogus/],
  ];
  for (const [args, message, expected = 2] of cases) {
    const { code, err } = await runHere(...args);
    assert.equal(code, expected, `${args.join(' ')}: ${err}`);
    assert.match(err, message, args.join(' '));
    assert.ok(err.startsWith('transformer plot: '), err);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  }
  const spawned = await run('pe', '--dim', '8', '--out', 'x.gif');
  assert.equal(spawned.code, 2);
  assert.equal(spawned.err.trim().split('\n').length, 1, spawned.err);
});
