// Reading metrics.jsonl: steps and validations as the trainer writes them, the last record of a repeated
// step, a cut-off last line, and errors that name the file, the line and what was expected.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MetricsFileError, readMetrics } from '../../src/io/metrics-file.js';

const root = mkdtempSync(join(tmpdir(), 'read-metrics-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

let runs = 0;
function runWith(content: string): string {
  const dir = join(root, `run-${runs++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'metrics.jsonl'), content);
  return dir;
}

const line = (entry: Record<string, unknown>) => `${JSON.stringify({ time: '2026-01-01T00:00:00.000Z', ...entry })}\n`;
const step = (n: number, loss: number) =>
  line({
    event: 'step',
    step: n,
    epoch: 0,
    loss,
    ppl: Math.exp(loss),
    lr: n / 10000,
    gradNorm: 1,
    targetTokensPerSecond: 1000 + n,
    elapsedSeconds: n / 2,
  });

test('steps and validations as the trainer writes them; other events are skipped', () => {
  const dir = runWith(
    line({ event: 'start', resuming: false, options: {} }) +
      step(1, 9) +
      step(2, 8) +
      line({ event: 'validation', step: 2, loss: 7.5, ppl: 1800, bleu: 1.25, best: true }) +
      step(3, 7) +
      line({ event: 'validation', step: 3, loss: 7, ppl: 1100, bleu: null, best: false }) +
      line({ event: 'end', reason: 'steps', step: 3 }),
  );
  const metrics = readMetrics(dir);
  assert.deepEqual(metrics.steps, [
    { step: 1, loss: 9, lr: 1 / 10000, elapsedSeconds: 0.5, tokensPerSecond: 1001 },
    { step: 2, loss: 8, lr: 2 / 10000, elapsedSeconds: 1, tokensPerSecond: 1002 },
    { step: 3, loss: 7, lr: 3 / 10000, elapsedSeconds: 1.5, tokensPerSecond: 1003 },
  ]);
  assert.deepEqual(metrics.validations, [
    { step: 2, loss: 7.5, ppl: 1800, bleu: 1.25, elapsedSeconds: 1 },
    { step: 3, loss: 7, ppl: 1100, bleu: null, elapsedSeconds: 1.5 },
  ]);
});

test('a resumed run that repeats steps keeps the last record of each', () => {
  const dir = runWith(
    step(1, 9) + step(2, 8) + step(3, 7) + line({ event: 'start', resuming: true }) + step(3, 6.5) + step(4, 6),
  );
  assert.deepEqual(
    readMetrics(dir).steps.map((s) => [s.step, s.loss]),
    [
      [1, 9],
      [2, 8],
      [3, 6.5],
      [4, 6],
    ],
  );
});

test('a last line cut off by a killed run is ignored; an empty file has no records', () => {
  const whole = step(1, 9) + step(2, 8);
  const cut = step(3, 7).slice(0, 30);
  assert.equal(readMetrics(runWith(whole + cut)).steps.length, 2);
  assert.deepEqual(readMetrics(runWith('')), { steps: [], validations: [] });
});

test('errors name the file, the line and what was expected', () => {
  const cases: [string, RegExp][] = [
    [step(1, 9) + '{"event":"step",\n' + step(3, 7), /metrics\.jsonl line 2: not valid JSON/],
    [
      step(1, 9) + step(2, 8) + line({ event: 'step', step: 3, loss: 7, lr: 1 }),
      /line 3: a step event needs a number "elapsedSeconds", got nothing/,
    ],
    [
      line({ event: 'step', step: 1, loss: null, lr: 1, elapsedSeconds: 1 }),
      /line 1: a step event needs a number "loss", got null/,
    ],
    [
      step(1, 9) + line({ event: 'validation', step: 1, loss: 'low', ppl: 2 }),
      /line 2: a validation event needs a number "loss", got "low"/,
    ],
    [
      line({ event: 'validation', step: 1, loss: 2, ppl: 7, bleu: 'high' }),
      /line 1: a validation event needs a number "bleu"/,
    ],
    ['[1, 2]\n', /line 1: expected a JSON object/],
  ];
  for (const [content, message] of cases) {
    const dir = runWith(content);
    assert.throws(
      () => readMetrics(dir),
      (error: Error) => {
        assert.ok(error instanceof MetricsFileError, error.message);
        assert.match(error.message, message);
        assert.ok(error.message.startsWith(join(dir, 'metrics.jsonl')), error.message);
        return true;
      },
    );
  }
  const empty = join(root, 'no-metrics');
  mkdirSync(empty);
  assert.throws(() => readMetrics(empty), {
    name: 'MetricsFileError',
    message: /no-metrics\/metrics\.jsonl: no such file; is .* a run folder/,
  });
  assert.throws(() => readMetrics(empty), MetricsFileError);
});
