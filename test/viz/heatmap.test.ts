// Heatmaps: one cell per value with its data attributes and hover title, escaping, shape checks, label
// thinning and truncation, the colour scales, and speed at 60,000 cells.

import test from 'node:test';
import assert from 'node:assert/strict';

import { colorAt, colorScale, heatmapSvg } from '../../src/viz/index.js';
import { cells, count, parsedSize } from './svg-check.js';

test('a cell per value, row-major, with 4 significant digits and a title naming its labels', () => {
  const values = [0.123456, 1, -2.5e-7, 0, 0.5, 1234567];
  const picture = heatmapSvg({ values, rows: 2, cols: 3, rowLabels: ['a', 'b'], colLabels: ['x', 'y', 'z'] });
  const got = cells(picture.svg);
  assert.equal(got.length, 6);
  assert.deepEqual(
    got.map((c) => [c.row, c.col, c.value]),
    [
      [0, 0, '0.1235'],
      [0, 1, '1'],
      [0, 2, '-2.5e-7'],
      [1, 0, '0'],
      [1, 1, '0.5'],
      [1, 2, '1235000'],
    ],
  );
  assert.equal(got[5].title, 'b → z: 1235000');
  assert.deepEqual(parsedSize(picture.svg), { width: picture.width, height: picture.height });
});

test('labels and titles are escaped; the hover title keeps a long label whole, the drawn one is cut', () => {
  const long = 'Donaudampfschifffahrtsgesellschaft';
  const picture = heatmapSvg({
    values: [1, 2],
    rows: 1,
    cols: 2,
    rowLabels: [`<s> & "q" 'r'`],
    colLabels: ['</s>', long],
    title: 'a < b & c',
    rowAxisLabel: 'queries > keys',
    colAxisLabel: `it's "keys"`,
  });
  parsedSize(picture.svg);
  assert.ok(picture.svg.includes('&lt;s&gt; &amp; &quot;q&quot; &apos;r&apos; → &lt;/s&gt;: 1'));
  assert.ok(picture.svg.includes('a &lt; b &amp; c'));
  assert.ok(picture.svg.includes('queries &gt; keys'));
  assert.ok(picture.svg.includes('it&apos;s &quot;keys&quot;'));
  assert.ok(!/<s>|<\/s>/.test(picture.svg), 'no raw token markup');
  assert.ok(picture.svg.includes(`: 1</title>`));
  assert.ok(picture.svg.includes(`>${long.slice(0, 15)}…</text>`), 'the drawn label is cut to 16 characters');
  assert.ok(picture.svg.includes(`→ ${long}: 2</title>`), 'the title has the whole label');
});

test('bad shapes are RangeErrors naming the field', () => {
  const cases: [Parameters<typeof heatmapSvg>[0], RegExp][] = [
    [{ values: [], rows: 0, cols: 1 }, /rows must be a positive integer, got 0/],
    [{ values: [1, 2], rows: 1, cols: 1.5 }, /cols must be a positive integer, got 1.5/],
    [{ values: [1, 2, 3], rows: 2, cols: 2 }, /values must hold rows x cols = 4 numbers, got 3/],
    [{ values: [1, 2], rows: 2, cols: 1, rowLabels: ['a'] }, /rowLabels must have one label per row \(2\), got 1/],
    [{ values: [1, 2], rows: 1, cols: 2, colLabels: ['a', 'b', 'c'] }, /colLabels .* \(2\), got 3/],
    [{ values: [1, 2], rows: 1, cols: 2, min: 3, max: 1 }, /min must be <= max/],
  ];
  for (const [options, message] of cases) assert.throws(() => heatmapSvg(options), { name: 'RangeError', message });
});

test('the colour scale spans the values by default, or the given bounds; the legend shows them', () => {
  const values = [2, 4, 6, 8];
  const sequential = colorScale('sequential', 2, 8);
  const picture = heatmapSvg({ values, rows: 2, cols: 2 });
  const fills = [...picture.svg.matchAll(/class="cell"[^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
  assert.deepEqual(fills, values.map(sequential));
  assert.equal(fills[0], colorAt('sequential', 0));
  assert.equal(fills[3], colorAt('sequential', 1));
  assert.match(picture.svg, /<g class="legend">.*>8<\/text>.*>2<\/text><\/g>/);

  const fixed = heatmapSvg({ values, rows: 2, cols: 2, min: 0, max: 10 });
  assert.match(fixed.svg, /<g class="legend">.*>10<\/text>.*>0<\/text><\/g>/);
  assert.equal(count(heatmapSvg({ values, rows: 2, cols: 2, legend: false }).svg, /class="legend"/), 0);
});

test('the diverging scale is white at 0, blue below and red above, equally strong at -r and r', () => {
  const scale = colorScale('diverging', -1, 0.5);
  assert.equal(scale(0), '#f7f7f7');
  assert.equal(scale(-1), '#2166ac');
  assert.equal(scale(1), '#b2182b');
  assert.equal(scale(-0.5), colorAt('diverging', 0.25));
  assert.equal(scale(0.5), colorAt('diverging', 0.75));
  const [r, , b] = [1, 3, 5].map((i) => parseInt(scale(0.5).slice(i, i + 2), 16));
  assert.ok(r > b, 'positive values are red');
  assert.equal(colorScale('sequential', 0, 1)(NaN), '#bdbdbd');
});

test('labels on thin cells are thinned to every k-th, k a nice number', () => {
  const cols = 512;
  const picture = heatmapSvg({ values: new Float32Array(cols), rows: 1, cols, cellWidth: 2 });
  const drawn = [...picture.svg.matchAll(/rotate\(-90\)"[^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
  assert.equal(drawn.length, 52);
  assert.ok(drawn.every((label, k) => label === 10 * k));
});

test('60,000 cells: every one is drawn, each with its value', () => {
  const [rows, cols] = [120, 500];
  const values = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i));
  const picture = heatmapSvg({ values, rows, cols, cellWidth: 2, cellHeight: 4, colormap: 'diverging' });
  assert.equal(count(picture.svg, /class="cell"/), rows * cols);
  // The last cell is where it belongs and reads as its own value, within the 3 significant digits shown.
  const last = /data-row="119" data-col="499" data-value="([^"]+)"/.exec(picture.svg);
  assert.ok(last !== null, 'the last cell is drawn');
  assert.ok(Math.abs(Number(last[1]) - values[rows * cols - 1]!) < 5e-3, last[1]);
});
