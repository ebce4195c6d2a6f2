// src/viz is loaded by the web page as plain ES modules: it may import only its own files, by relative
// paths with .js extensions, and must not touch Node's globals.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('../../../src/viz/', import.meta.url));

test('src/viz imports only its own modules, and no Node globals', () => {
  const files = readdirSync(folder).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 8, files.join(' '));
  for (const file of files) {
    const source = readFileSync(folder + file, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g))
      assert.match(specifier, /^\.\/[a-z-]+\.js$/, `${file} imports ${specifier}`);
    assert.doesNotMatch(source, /\b(require|process|Buffer|__dirname)\b|import\(/, file);
  }
});
