// The browser entry (dist/src/browser.js) must load in a page with nothing but an import map: every
// module it reaches through its imports, transitively, imports no Node built-in (node:* or a bare name
// such as "fs") and no other bare package, and uses no Node global (process, Buffer, require, ...).
// Read from the compiled JavaScript, which is what a page loads.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

// This file runs from dist/test/.
const DIST_SRC = fileURLToPath(new URL('../src/', import.meta.url));
const ENTRY = join(DIST_SRC, 'browser.js');

const NODE_GLOBALS = new Set(['process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'global']);

/**
 * Modules of the graph that load Node code only when called from Node, through an import() of a
 * specifier held in a variable (which bundlers leave alone): each is listed with why.
 */
const NODE_ONLY_IMPORTS: Readonly<Record<string, string>> = {
  'backend/registry.js': 'adds the native backend, and reads the wasm module from disk, when running under Node',
  'tokenizer/tokenizer.js': 'Tokenizer.load(path) and save(path) read and write files',
  'tokenizer/marian-tokenizer.js': 'MarianTokenizer.load(dir) reads a folder on disk',
  'tokenizer/sentencepiece/index.js': 'SentencePieceModel.load(path) reads a file',
};

interface ModuleFacts {
  imports: string[]; // specifiers of static imports and re-exports, and of import() of a string
  computedImport: boolean; // an import() of anything but a string literal
  globals: string[]; // Node globals used as free identifiers
}

function factsOf(file: string): ModuleFacts {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const facts: ModuleFacts = { imports: [], computedImport: false, globals: [] };
  const declared = declaredNames(source);
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      facts.imports.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument !== undefined && ts.isStringLiteralLike(argument)) facts.imports.push(argument.text);
      else facts.computedImport = true;
    } else if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text) && !declared.has(node.text) && isReference(node)) {
      facts.globals.push(`${node.text} (line ${source.getLineAndCharacterOfPosition(node.getStart()).line + 1})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return facts;
}

/** Names the file declares itself (variables, parameters, functions, classes, imports), in any scope. */
function declaredNames(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    const declaration = node as ts.Node & { name?: ts.Node };
    const declares =
      ts.isVariableDeclaration(node) ||
      ts.isParameter(node) ||
      ts.isFunctionDeclaration(node) ||
      ts.isClassDeclaration(node) ||
      ts.isImportSpecifier(node) ||
      ts.isImportClause(node) ||
      ts.isNamespaceImport(node) ||
      ts.isBindingElement(node);
    if (declares && declaration.name !== undefined && ts.isIdentifier(declaration.name))
      names.add(declaration.name.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/** An identifier read as a variable: not a property name or an object key. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent)) && parent.name === node) return false;
  if (ts.isPropertyDeclaration(parent) || ts.isExportSpecifier(parent)) return false;
  return true;
}

const name = (file: string) => relative(DIST_SRC, file).split('\\').join('/');

/** Every module the entry reaches, with the chain of imports that first reached it. */
function walk(entry: string): Map<string, { chain: string[]; facts: ModuleFacts }> {
  const seen = new Map<string, { chain: string[]; facts: ModuleFacts }>();
  const queue: [string, string[]][] = [[entry, [name(entry)]]];
  while (queue.length > 0) {
    const [file, chain] = queue.shift()!;
    if (seen.has(file)) continue;
    assert.ok(existsSync(file), `${chain.join(' -> ')}: the file is missing`);
    const facts = factsOf(file);
    seen.set(file, { chain, facts });
    for (const spec of facts.imports)
      if (spec.startsWith('.')) {
        const target = join(dirname(file), spec);
        queue.push([target, [...chain, name(target)]]);
      }
  }
  return seen;
}

const graph = walk(ENTRY);

test('the browser entry reaches the engine, models, tokenizers, decoding, metrics, plots and folder opening', () => {
  const reached = new Set([...graph.keys()].map(name));
  for (const module of [
    'tensor/tensor.js',
    'backend/js/index.js',
    'model/encoder-decoder.js',
    'tokenizer/tokenizer.js',
    'tokenizer/sentencepiece/index.js',
    'tokenizer/marian-tokenizer.js',
    'decode/beam.js',
    'decode/translate-lines.js',
    'eval/bleu.js',
    'eval/chrf.js',
    'viz/heatmap.js',
    'model/observe.js',
    'io/open-from-source.js',
    'io/folder-sources.js',
  ])
    assert.ok(reached.has(module), `${module} is not reached from browser.js`);
  assert.ok(!reached.has('backend/native/index.js'));
});

// Packages of our own dependencies that run in browsers as they are; a page maps them in its import map
// (docs/browser.md). fflate unzips PyTorch checkpoints.
const BROWSER_PACKAGES = new Set(['fflate']);

test('no module the browser entry reaches imports Node built-ins or bare packages', () => {
  const builtins = new Set(builtinModules);
  const found: string[] = [];
  for (const { chain, facts } of graph.values())
    for (const spec of facts.imports) {
      if (spec.startsWith('.') || BROWSER_PACKAGES.has(spec)) continue;
      const what = spec.startsWith('node:') || builtins.has(spec) ? 'the Node built-in' : 'the bare package';
      found.push(`${chain.join(' -> ')} imports ${what} ${JSON.stringify(spec)}`);
    }
  assert.deepEqual(found, []);
});

test('no module the browser entry reaches uses a Node global', () => {
  const found: string[] = [];
  for (const { chain, facts } of graph.values())
    for (const global of facts.globals) found.push(`${chain.join(' -> ')} uses ${global}`);
  assert.deepEqual(found, []);
});

test('Node-only code is reached only by the listed import() calls of a computed specifier', () => {
  const computed = [...graph.entries()].filter(([, m]) => m.facts.computedImport).map(([file]) => name(file));
  assert.deepEqual(computed.sort(), Object.keys(NODE_ONLY_IMPORTS).sort());
});
