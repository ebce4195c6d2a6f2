// Grids of panels and attention pictures: sizes, nesting, head averages, one panel per head.

import test from 'node:test';
import assert from 'node:assert/strict';

import {
  attentionAxes,
  attentionGridSvg,
  gridSvg,
  headAverage,
  heatmapSvg,
  type Picture,
} from '../../src/viz/index.js';
import { cells, count, parsedSize } from './svg-check.js';

const box = (width: number, height: number): Picture => ({
  svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect class="box" width="${width}" height="${height}"/></svg>`,
  width,
  height,
});

test('a grid is as wide as its widest column per column and as tall as its tallest panel per row', () => {
  const gap = 10;
  const picture = gridSvg([box(100, 50), box(80, 70), box(120, 30)], { columns: 2, gap });
  // columns: max(100, 120) and 80; rows: max(50, 70) and 30
  assert.equal(picture.width, 100 + 120 - 100 + 80 + 3 * gap);
  assert.equal(picture.height, 70 + 30 + 3 * gap);
  assert.deepEqual(parsedSize(picture.svg), { width: picture.width, height: picture.height });
  assert.deepEqual(
    [...picture.svg.matchAll(/translate\((\d+),(\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]),
    [
      [10, 10],
      [140, 10],
      [10, 90],
    ],
  );
  assert.equal(count(picture.svg, /class="box"/), 3);

  const titled = gridSvg([box(100, 50)], { columns: 3, title: 'a & b' });
  assert.ok(titled.height > 50 + 2 * 12 && titled.svg.includes('a &amp; b'));
  assert.equal(titled.width, 100 + 2 * 12);
  const long = gridSvg([box(100, 50)], { columns: 1, title: 'a title much wider than the only panel' });
  assert.ok(long.width > 200, 'a long title widens the picture');
  assert.throws(() => gridSvg([], { columns: 0 }), { name: 'RangeError', message: /columns/ });
});

const map = {
  name: 'decoder.layers.1.crossAttention',
  shape: [2, 2, 3] as const,
  // head 0 rows, then head 1 rows
  weights: Float32Array.from([1, 0, 0, 0.5, 0.5, 0, 0, 0, 1, 0.5, 0.25, 0.25]),
};

test('headAverage is the mean over heads, (Tq, Tk)', () => {
  assert.deepEqual([...headAverage(map)], [0.5, 0, 0.5, 0.5, 0.375, 0.125]);
  assert.throws(() => headAverage({ ...map, shape: [2, 2, 2] }), { name: 'RangeError', message: /weights must hold/ });
  assert.throws(() => headAverage({ ...map, shape: [0, 2, 6] }), { name: 'RangeError', message: /heads/ });
});

test('an attention grid has a panel per head and the average, labelled, on the 0..1 scale', () => {
  const picture = attentionGridSvg(map, ['<s>', '▁A'], ['▁Ein', 'Mann', '</s>']);
  parsedSize(picture.svg);
  const all = cells(picture.svg);
  assert.equal(all.length, 3 * 6);
  assert.deepEqual(
    all.slice(12).map((c) => Number(c.value)),
    [0.5, 0, 0.5, 0.5, 0.375, 0.125],
  );
  assert.equal(all[4].title, '▁A → Mann: 0.5');
  assert.ok(picture.svg.includes('&lt;s&gt; → &lt;/s&gt;'));
  for (const title of ['decoder.layers.1.crossAttention', 'head 0', 'head 1', 'average of heads'])
    assert.ok(picture.svg.includes(`>${title}</text>`), title);
  assert.equal(count(picture.svg, /class="legend"/), 1, 'one colour bar for the shared scale');
  // The 0..1 scale: the cell at 1 has the top colour even though no average reaches 1.
  const single = heatmapSvg({ values: [1], rows: 1, cols: 1 });
  const top = /class="cell"[^>]*fill="([^"]+)"/.exec(single.svg)![1];
  assert.ok(picture.svg.includes(`data-value="1" x="`) && picture.svg.includes(`fill="${top}"`));

  const headsOnly = attentionGridSvg(map, ['a', 'b'], ['x', 'y', 'z'], { average: false, columns: 1 });
  assert.equal(cells(headsOnly.svg).length, 12);
  assert.ok(headsOnly.height > headsOnly.width / 2, 'one column of panels');
  assert.throws(() => attentionGridSvg(map, ['a'], ['x', 'y', 'z']), { name: 'RangeError', message: /queryLabels/ });
  assert.throws(() => attentionGridSvg(map, ['a', 'b'], ['x']), { name: 'RangeError', message: /keyLabels/ });
});

test('attention axes: decoder queries are the tokens produced, decoder keys what was read', () => {
  const source = ['▁Ein', '▁Hund', '</s>'];
  const target = ['▁A', '▁dog'];
  const cross = attentionAxes('cross', source, target);
  assert.deepEqual(cross.rows, ['▁A', '▁dog', '</s>']);
  assert.deepEqual(cross.cols, source);
  const decoder = attentionAxes('decoder', source, target);
  assert.deepEqual(decoder.rows, ['▁A', '▁dog', '</s>']);
  assert.deepEqual(decoder.cols, ['<s>', '▁A', '▁dog']);
  const encoder = attentionAxes('encoder', source, target);
  assert.deepEqual([encoder.rows, encoder.cols], [source, source]);
  assert.match(cross.rowAxisLabel, /produced/);
  assert.match(decoder.colAxisLabel, /so far/);
  // The grid draws the axis titles it is given.
  const map = { name: 'decoder.layers.0.crossAttention', shape: [1, 3, 3] as const, weights: new Array(9).fill(1 / 3) };
  const picture = attentionGridSvg(map, cross.rows, cross.cols, cross);
  assert.match(picture.svg, /output token being produced \(query\)/);
});
