// The pipeline's core (src/pipeline/core.ts, what a browser entry point re-exports) reaches no Node
// built-in of its own: following the compiled modules' imports from it, the only `node:` imports met are
// the backend registry's, which it loads only under Node.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file runs from dist/test/pipeline/.
const DIST_SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function reachable(entry: string): { files: Set<string>; bare: string[] } {
  const files = new Set<string>();
  const bare: string[] = [];
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    )) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else bare.push(`${relative(DIST_SRC, file)} -> ${spec}`);
    }
  };
  visit(resolve(DIST_SRC, entry));
  return { files, bare };
}

test('the pipeline core imports no Node built-in outside the backend registry', () => {
  const { files, bare } = reachable('pipeline/core.js');
  assert.ok(files.size > 30, `only ${files.size} modules reached`);
  assert.ok([...files].some((f) => f.endsWith('decode/stepwise.js')));
  const outside = bare.filter((edge) => !edge.startsWith('backend/'));
  assert.deepEqual(outside, []);
  // The Node entry does read files: the check would see it.
  assert.ok(reachable('pipeline/node.js').bare.some((edge) => edge.startsWith('pipeline/node.js -> node:fs')));
});
