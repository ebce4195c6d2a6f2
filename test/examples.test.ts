// The examples of the README and docs/ compile: every ```ts block that imports from 'transformer-ts'
// is type-checked, strictly, against the package's declarations (dist/src/index.d.ts, what a user gets),
// so an example cannot rot when the API changes. Every README example must be such a whole program.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

// This file runs from dist/test/.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Example {
  file: string;
  line: number;
  code: string;
}

function examples(file: string): Example[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const end = lines.indexOf('```', i + 1);
    found.push({ file, line: i + 2, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return found;
}

const docs = readdirSync(join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const readme = examples('README.md');
const all = [...readme, ...docs.flatMap(examples)].filter((e) => e.code.includes("from 'transformer-ts"));

test('every README example is a whole program that imports the package', () => {
  assert.ok(readme.length >= 2, `only ${readme.length} examples in the README`);
  for (const e of readme) assert.match(e.code, /from 'transformer-ts(\/browser)?'/, `README.md:${e.line}`);
});

test('the examples of the README and docs/ type-check against the package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'examples-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const files = all.map((e, i) => {
      const path = join(dir, `example-${i}.ts`);
      writeFileSync(path, `${e.code}\nexport {};\n`);
      return path;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      paths: {
        'transformer-ts': [join(ROOT, 'dist', 'src', 'index.d.ts')],
        'transformer-ts/browser': [join(ROOT, 'dist', 'src', 'browser.d.ts')],
      },
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const index = d.file === undefined ? -1 : files.indexOf(d.file.fileName);
      const where =
        index === -1 || d.start === undefined
          ? (d.file?.fileName ?? '')
          : `${all[index].file}:${all[index].line + d.file!.getLineAndCharacterOfPosition(d.start).line}`;
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
    assert.deepEqual(problems, []);
    assert.ok(all.length >= 4, `only ${all.length} examples checked`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
