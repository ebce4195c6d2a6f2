// The generated long text: deterministic per seed, and with the long-range structure it promises.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LINE_WIDTH, makeLongText, writeLongText } from '../../src/data/long-text.js';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));
const text = makeLongText({ chars: 200_000, seed: 7 });
const sections = text.split('\n\n\n').slice(0, -1); // the last one is cut off

test('the same seed gives the same text, a longer text extends a shorter one, and the length is exact', () => {
  assert.equal(text.length, 200_000);
  assert.equal(makeLongText({ chars: 200_000, seed: 7 }), text);
  assert.equal(makeLongText({ chars: 12_345, seed: 7 }), text.slice(0, 12_345));
  assert.notEqual(makeLongText({ chars: 2000, seed: 8 }), text.slice(0, 2000));
});

test('writeLongText writes exactly makeLongText', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'long-text-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'text.txt');
  const { sections: written } = await writeLongText(path, { chars: 50_000, seed: 7 });
  assert.equal(readFileSync(path, 'utf8'), text.slice(0, 50_000));
  assert.ok(written > 5);
});

test('sections are numbered 1, 2, 3, ... and each closing line repeats its title, thousands of characters later', () => {
  assert.ok(sections.length > 30, `${sections.length} sections`);
  let far = 0;
  sections.forEach((s, k) => {
    const title = /^Section (\d+)\. On (.+)$/m.exec(s.split('\n')[0]);
    assert.ok(title !== null, s.slice(0, 80));
    assert.equal(Number(title[1]), k + 1);
    assert.equal(s.split('\n').at(-1), `Here ends section ${k + 1}, on ${title[2]}.`);
    if (s.length > 1000) far++;
  });
  assert.ok(far > sections.length / 2, 'most sections are longer than 1,000 characters');
});

test('a paragraph introduces one person, refers to them with one pronoun, and they sign its last line', () => {
  const pronouns = new Set(['ve', 'sha', 'tho', 'mi']);
  let checked = 0;
  for (const s of sections) {
    const paragraphs = s.split('\n\n').slice(1, -1);
    const signs = new Set<string>();
    for (const p of paragraphs) {
      const flat = p.replace(/\n/g, ' ');
      const intro = /^([A-Z][a-z]+) of ([A-Z][a-z]+) [a-z]+(ed|s) the [a-z]+, and ([a-z]+) was /.exec(flat);
      assert.ok(intro !== null, flat.slice(0, 100));
      const [, person, home, tense, pronoun] = intro;
      assert.ok(flat.endsWith(`So ${tense === 'ed' ? 'wrote' : 'writes'} ${person} of ${home}.`), flat.slice(-60));
      const used = new Set(flat.split(/[^A-Za-z]+/).filter((w) => pronouns.has(w.toLowerCase())));
      assert.deepEqual(
        [...used].map((w) => w.toLowerCase()).filter((w, i, a) => a.indexOf(w) === i),
        [pronoun],
      );
      signs.add(tense);
      checked++;
    }
    assert.equal(signs.size, 1, 'every paragraph of a section is in the same tense');
  }
  assert.ok(checked > 100);
});

test('brackets and quotations nest properly within a paragraph, and many close on a later line', () => {
  const closer: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  let spanning = 0;
  let quotes = 0;
  for (const s of sections)
    for (const p of s.split('\n\n')) {
      const open: { c: string; line: number }[] = [];
      let line = 0;
      let inQuote = -1;
      for (const c of p) {
        if (c === '\n') line++;
        else if (c in closer) open.push({ c, line });
        else if (c === ')' || c === ']' || c === '}') {
          const top = open.pop();
          assert.equal(top && closer[top.c], c, p);
          if (top!.line < line) spanning++;
        } else if (c === '"') {
          assert.equal(open.length, 0, 'a quotation is never inside brackets');
          if (inQuote < 0) inQuote = line;
          else {
            if (inQuote < line) quotes++;
            inQuote = -1;
          }
        }
      }
      assert.equal(open.length, 0, p);
      assert.equal(inQuote, -1, p);
    }
  assert.ok(spanning > 50, `${spanning} brackets close on a later line`);
  assert.ok(quotes > 20, `${quotes} quotations close on a later line`);
});

test(`lines are at most ${LINE_WIDTH} characters`, () => {
  for (const line of text.split('\n')) assert.ok(line.length <= LINE_WIDTH, line);
});

test('transformer data make-text writes the generated text', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'make-text-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'made.txt');
  const made = spawnSync(process.execPath, [
    bin,
    ...['data', 'make-text', '--out', out, '--chars', '5000', '--seed', '5'],
  ]);
  assert.equal(made.status, 0, String(made.stderr));
  assert.equal(readFileSync(out, 'utf8'), makeLongText({ chars: 5000, seed: 5 }));
  const missing = spawnSync(process.execPath, [bin, 'data', 'make-text'], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--out FILE is required/);
});
