// Line charts: a path per series, gaps at non-finite values, thinning that keeps the extremes, ticks,
// the legend, log axes and the "no data" picture.

import test from 'node:test';
import assert from 'node:assert/strict';

import { downsample, lineChartSvg } from '../../src/viz/index.js';
import { count, parsedSize } from './svg-check.js';

/** The drawn stretches of each series path, as pixel points. */
function paths(svg: string): Map<string, [number, number][][]> {
  const out = new Map<string, [number, number][][]>();
  for (const m of svg.matchAll(/<path class="series" data-name="([^"]*)" d="([^"]*)"/g)) {
    const stretches = m[2]
      .split('M')
      .filter((s) => s !== '')
      .map((s) => {
        const n = s.trim().split(' ').map(Number);
        return Array.from({ length: n.length / 2 }, (_, k) => [n[2 * k], n[2 * k + 1]] as [number, number]);
      });
    out.set(m[1], stretches);
  }
  return out;
}

const tickTexts = (svg: string) =>
  [...svg.matchAll(/<g class="axes">(.*?)<\/g>/g)][0][1].match(/>([^<]+)<\/text>/g)!.map((t) => t.slice(1, -7));

test('one path per series with its name; the axes carry nice tick labels', () => {
  const points = Array.from({ length: 50 }, (_, i) => [i * 100, 9 - i / 10] as const);
  const picture = lineChartSvg({
    series: [{ name: 'loss', points }],
    title: 'training',
    xLabel: 'step',
    yLabel: 'loss',
  });
  assert.deepEqual(parsedSize(picture.svg), { width: 640, height: 360 });
  const drawn = paths(picture.svg);
  assert.deepEqual([...drawn.keys()], ['loss']);
  assert.equal(drawn.get('loss')!.length, 1);
  assert.equal(drawn.get('loss')![0].length, 50);
  const labels = tickTexts(picture.svg);
  assert.ok(labels.includes('0') && labels.includes('5000'), labels.join(' '));
  assert.ok(labels.includes('4') && labels.includes('9'), labels.join(' '));
  assert.equal(count(picture.svg, /class="legend"/), 0, 'no legend for a single series');
  assert.equal(count(picture.svg, /class="marker"/), 0, 'no dots on a long series');
});

test('non-finite y values break the line', () => {
  const points: [number, number][] = [
    [1, 1],
    [2, 2],
    [3, NaN],
    [4, 3],
    [5, Infinity],
    [6, 4],
    [7, 5],
  ];
  const stretches = paths(lineChartSvg({ series: [{ name: 's', points }] }).svg).get('s')!;
  assert.deepEqual(
    stretches.map((s) => s.length),
    [2, 1, 2],
  );
});

test('a long series is thinned per pixel column, keeping each column’s extremes', () => {
  const n = 100_000;
  const [spikeAt, dipAt] = [54_321, 7];
  const y = (i: number) => (i === spikeAt ? 10 : i === dipAt ? -10 : Math.sin(i / 1000));
  const picture = lineChartSvg({
    series: [{ name: 'noisy', points: Array.from({ length: n }, (_, i) => [i, y(i)] as const) }],
  });
  assert.ok(picture.svg.length < 120_000, `${picture.svg.length} characters`);
  const drawn = paths(picture.svg).get('noisy')![0];
  assert.ok(drawn.length < 4 * 640, `${drawn.length} points drawn`);
  // The y axis runs from -10 to 10: its top and bottom grid lines are where the spike and the dip must be.
  const gridYs = [...picture.svg.matchAll(/<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="\1"/g)].map((m) =>
    Number(m[1]),
  );
  const [top, bottom] = [Math.min(...gridYs), Math.max(...gridYs)];
  const xs = drawn.map(([x]) => x);
  const xOf = (i: number) => xs[0] + ((xs.at(-1)! - xs[0]) * i) / (n - 1);
  const spike = drawn.filter(([, py]) => Math.abs(py - top) < 0.01);
  const dip = drawn.filter(([, py]) => Math.abs(py - bottom) < 0.01);
  assert.equal(spike.length, 1);
  assert.equal(dip.length, 1);
  assert.ok(Math.abs(spike[0][0] - xOf(spikeAt)) < 0.02, `spike drawn at x ${spike[0][0]}, wanted ${xOf(spikeAt)}`);
  assert.ok(Math.abs(dip[0][0] - xOf(dipAt)) < 0.02, `dip drawn at x ${dip[0][0]}, wanted ${xOf(dipAt)}`);
});

test('downsample keeps the first, lowest, highest and last point of each column, in order', () => {
  const points: [number, number][] = [
    [0.1, 5],
    [0.2, 9],
    [0.5, 1],
    [0.7, 4],
    [0.9, 3],
    [1.0, 7],
    [1.5, 8],
    [2.2, 2],
  ];
  assert.deepEqual(downsample(points), [
    [0.1, 5],
    [0.2, 9],
    [0.5, 1],
    [0.9, 3],
    [1.0, 7],
    [1.5, 8],
    [2.2, 2],
  ]);
  const many = Array.from({ length: 10_000 }, (_, i) => [i / 100, Math.cos(i)] as [number, number]);
  const kept = downsample(many);
  assert.ok(kept.length <= 4 * 100);
  for (let column = 0; column < 100; column++) {
    const inColumn = many.filter(([x]) => Math.floor(x) === column).map(([, y]) => y);
    const keptInColumn = kept.filter(([x]) => Math.floor(x) === column).map(([, y]) => y);
    assert.equal(Math.max(...keptInColumn), Math.max(...inColumn));
    assert.equal(Math.min(...keptInColumn), Math.min(...inColumn));
  }
});

test('several series get a legend, their own colours, and dots when they are short', () => {
  const picture = lineChartSvg({
    series: [
      {
        name: 'warmup 4000',
        points: [
          [1, 1],
          [2, 2],
        ],
      },
      {
        name: 'warmup <8000> & "more"',
        points: [
          [1, 2],
          [2, 3],
        ],
        color: '#123456',
      },
    ],
  });
  parsedSize(picture.svg);
  assert.equal(count(picture.svg, /<g class="legend">/), 1);
  assert.ok(picture.svg.includes('data-name="warmup &lt;8000&gt; &amp; &quot;more&quot;"'));
  assert.ok(picture.svg.includes('stroke="#123456"'));
  assert.equal(count(picture.svg, /class="marker"/), 4);
  assert.deepEqual([...paths(picture.svg).keys()].length, 2);
});

test('a log y axis leaves out values <= 0 and labels decades', () => {
  const points: [number, number][] = [
    [1, 0.001],
    [2, 0],
    [3, 0.1],
    [4, 10],
  ];
  const picture = lineChartSvg({ series: [{ name: 'ppl', points }], logY: true });
  assert.deepEqual(
    paths(picture.svg)
      .get('ppl')!
      .map((s) => s.length),
    [1, 2],
  );
  const labels = tickTexts(picture.svg);
  for (const decade of ['0.001', '0.01', '0.1', '1', '10']) assert.ok(labels.includes(decade), labels.join(' '));
});

test('no series, or nothing drawable, gives a picture that says "no data"', () => {
  for (const series of [
    [],
    [{ name: 'empty', points: [] }],
    [{ name: 'nan', points: [[1, NaN]] as [number, number][] }],
  ]) {
    const picture = lineChartSvg({ series, title: 'validation BLEU' });
    assert.deepEqual(parsedSize(picture.svg), { width: 640, height: 360 });
    assert.match(picture.svg, /class="no-data"[^>]*>no data<\/text>/);
  }
});

test('a log x axis leaves out x <= 0, hugs the data with 1-2-5 ticks, and with logY draws a power law straight', () => {
  const points: [number, number][] = [0, 256, 1024, 4096, 16384].map((n) => [n, n * n]);
  const picture = lineChartSvg({ series: [{ name: 'N^2', points }], logX: true, logY: true });
  const [stretch] = paths(picture.svg).get('N^2')!;
  assert.equal(stretch.length, 4, 'x = 0 is left out');
  const slopes = stretch.slice(1).map(([x, y], k) => (y - stretch[k][1]) / (x - stretch[k][0]));
  for (const s of slopes) assert.ok(Math.abs(s - slopes[0]) < 0.02 * Math.abs(slopes[0]), slopes.join(' '));
  const labels = tickTexts(picture.svg);
  for (const tick of ['500', '1000', '2000', '5000', '10000']) assert.ok(labels.includes(tick), labels.join(' '));
  assert.ok(!labels.includes('100') && !labels.includes('100000'), 'no empty decades at either end');
  // Spacing in x is even in log N: 256 -> 1024 -> 4096 are equal steps.
  assert.ok(Math.abs(stretch[1][0] - stretch[0][0] - (stretch[2][0] - stretch[1][0])) < 0.1);
});
