// The shape of src/, read from its relative imports: no import cycles, folders that import only
// the layers below them, no Node built-ins where the code must also run in a browser, and files
// that stay under a size budget.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

// This file runs from dist/test/.
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * Top-level folders of src/ (and its two top-level files) from the top layer down. A folder may
 * import any folder of a lower layer; within a layer, only the edges listed in SIDEWAYS.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['cli', 'index', 'browser'], // the command line, and the package's entry points (Node, and the browser's)
  ['serve', 'train', 'pipeline'],
  ['data', 'decode', 'io', 'eval', 'viz', 'tokenizer'],
  ['model'],
  ['nn'],
  ['tensor'],
  ['backend'],
  ['errors', 'quote'], // the InputError base class and the quoting of values in messages, used by every layer
];

/** Imports between folders of the same layer, each with its reason. */
const SIDEWAYS: Readonly<Record<string, string>> = {
  'data -> io': 'data/character-file.ts writes vocabulary.json with io/atomic.ts',
  'decode -> tokenizer': 'decode/translate-lines.ts turns text into ids and back',
  'io -> tokenizer': 'a Marian folder holds SentencePiece tokenizers (io/marian-spm.ts, io/marian-config.ts)',
  'tokenizer -> io': 'tokenizer/format.ts saves tokenizer.json with io/atomic.ts, as every writer does',
  'serve -> train': 'serve/encode-request.ts reads a tagged text word by word as train/encoder-examples.ts does',
};

/** Folders whose code also runs in the browser (the web page, a WebAssembly backend). */
const BROWSER_SAFE = ['model', 'nn', 'tensor', 'backend/js', 'backend/wasm', 'viz'];

const MAX_LINES = 400;
/** Files over MAX_LINES, at their size when the budget was set: they may shrink, not grow. */
const OVER_BUDGET: Readonly<Record<string, number>> = {
  'backend/backend.ts': 409, // the kernel contract, mostly the math of each kernel in doc comments
};

interface SourceFile {
  path: string; // relative to src/, with '/'
  lines: number;
  imports: string[]; // every module specifier, as written
}

function listSources(dir = ''): string[] {
  return readdirSync(SRC + dir, { withFileTypes: true }).flatMap((entry) => {
    const path = dir + entry.name;
    if (entry.isDirectory()) return listSources(path + '/');
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const sources: SourceFile[] = listSources().map((path) => {
  const text = readFileSync(SRC + path, 'utf8');
  // preProcessFile skips comments and strings, and sees dynamic import() too.
  const imports = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  return { path, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports };
});
const known = new Set(sources.map((f) => f.path));

/** The src/ files a file imports by relative path. */
function localImports(file: SourceFile): string[] {
  return file.imports
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => posix.normalize(posix.join(posix.dirname(file.path), spec)).replace(/\.js$/, '.ts'));
}

/** The top-level folder of a file, or the file's own name for the top-level files (index, errors, quote). */
function folderOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : path.replace(/\.ts$/, '');
}

function layerOf(folder: string): number {
  const layer = LAYERS.findIndex((folders) => folders.includes(folder));
  assert.notEqual(layer, -1, `src/${folder} has no place in LAYERS`);
  return layer;
}

test('src/ has files to check, and every relative import names one of them', () => {
  assert.ok(sources.length > 100, `only ${sources.length} files found under ${SRC}`);
  for (const file of sources)
    for (const target of localImports(file)) assert.ok(known.has(target), `${file.path} imports ${target}`);
});

test('there are no import cycles', () => {
  const graph = new Map(sources.map((f) => [f.path, localImports(f)]));
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (path: string): void => {
    state.set(path, 'open');
    stack.push(path);
    for (const next of graph.get(path) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(path, 'done');
  };
  for (const path of graph.keys()) if (!state.has(path)) visit(path);
  assert.deepEqual(cycles, []);
});

test('folders import only the layers below them (and the listed sideways edges)', () => {
  const violations: string[] = [];
  const used = new Set<string>();
  for (const file of sources) {
    const from = folderOf(file.path);
    for (const target of localImports(file)) {
      const to = folderOf(target);
      if (from === to || layerOf(to) > layerOf(from)) continue;
      const edge = `${from} -> ${to}`;
      if (layerOf(to) === layerOf(from) && edge in SIDEWAYS) used.add(edge);
      else violations.push(`${file.path} imports ${target} (${edge})`);
    }
  }
  assert.deepEqual(violations, []);
  const stale = Object.keys(SIDEWAYS).filter((edge) => !used.has(edge));
  assert.deepEqual(stale, [], 'SIDEWAYS lists edges no file has any more: remove them');
});

test('model, nn, tensor, backend/js and viz import no Node built-ins', () => {
  const builtins = new Set(builtinModules);
  const found: string[] = [];
  for (const file of sources) {
    if (!BROWSER_SAFE.some((folder) => file.path.startsWith(folder + '/'))) continue;
    for (const spec of file.imports)
      if (spec.startsWith('node:') || builtins.has(spec)) found.push(`${file.path} imports ${spec}`);
  }
  assert.deepEqual(found, []);
});

test(`files stay under ${MAX_LINES} lines; the few over it do not grow`, () => {
  const over: string[] = [];
  for (const file of sources) {
    const limit = OVER_BUDGET[file.path] ?? MAX_LINES;
    if (file.lines > limit) over.push(`${file.path}: ${file.lines} lines > ${limit}`);
  }
  assert.deepEqual(over, []);
  for (const [path, lines] of Object.entries(OVER_BUDGET)) {
    const file = sources.find((f) => f.path === path);
    assert.ok(
      file !== undefined && file.lines > MAX_LINES,
      `${path} is no longer over budget: remove it from the list`,
    );
    assert.ok(lines > MAX_LINES, path);
  }
});
