// Ordinary mistakes, each run through bin/transformer.js as a user would: the exit code (2 for the command
// line, 1 for files and settings), exactly one line on stderr naming the file, flag or field, and no
// stack frame. The cases run a few at a time, so the table costs seconds, not a minute.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { saveModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig } from '../../src/model/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { runCliAsync } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'errors-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const path = (name: string) => join(root, name);
const text = path('text.txt');
writeFileSync(text, 'the cat sat on the mat\na dog ran in the park\n');
const badUtf8 = Buffer.from([0x6f, 0x6b, 0x0a, 0x61, 0x62, 0xff, 0x0a]); // "ok\nab\xff\n"
writeFileSync(path('bad.txt'), badUtf8);
writeFileSync(path('three.txt'), 'a\nb\nc\n');
writeFileSync(path('two.txt'), 'a\nb\n');
writeFileSync(path('score.tsv'), 'the cat\tthe dog\nno tab here\n');
mkdirSync(path('folder'));
mkdirSync(path('full'));
writeFileSync(path('full/keep.txt'), 'keep');
const tokenizer = learnBpe(['the cat sat on the mat', 'a dog ran in the park'], { vocabSize: 300, minFrequency: 1 });
await tokenizer.save(path('tokenizer.json'));
const model = path('model');
await saveModel(model, createModel(makeConfig('tiny', { vocabSize: tokenizer.vocabSize })), {
  tokenizerPath: path('tokenizer.json'),
});

const run = (args: string[], options: { stdin?: string | Buffer; env?: Record<string, string> } = {}) =>
  runCliAsync(args, { cwd: root, input: options.stdin, env: { TRANSFORMER_THREADS: '1', ...options.env } });

/** Runs `tasks` with at most `width` at a time (the machine may have two cores). */
async function pool<T>(tasks: (() => Promise<T>)[], width = 4): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

interface Case {
  args: string[];
  code: 1 | 2;
  /** What the line must say: the file, flag or field, and the problem. */
  says: RegExp;
  stdin?: string | Buffer;
  env?: Record<string, string>;
}

const busyPort = await new Promise<{ port: number; close: () => void }>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    resolve({ port: address.port, close: () => server.close() });
  });
});
test.after(() => busyPort.close());

const cases: Record<string, Case> = {
  'translate: a missing model folder': {
    args: ['translate', '--model', 'nowhere'],
    code: 1,
    says: /nowhere\/config\.json: cannot read it/,
  },
  'translate: a file as the model folder': {
    args: ['translate', '--model', 'text.txt'],
    code: 1,
    says: /text\.txt\/config\.json: cannot read it \(ENOTDIR\)/,
  },
  'translate: a missing --input': {
    args: ['translate', '--model', 'model', '--input', 'nothing.txt'],
    code: 1,
    says: /^transformer translate: nothing\.txt: no such file or folder \(ENOENT\)$/,
  },
  'translate: a folder as --input': {
    args: ['translate', '--model', 'model', '--input', 'folder'],
    code: 1,
    says: /^transformer translate: folder: is a folder, a file was expected \(EISDIR\)$/,
  },
  'translate: invalid UTF-8 in --input': {
    args: ['translate', '--model', 'model', '--input', 'bad.txt'],
    code: 1,
    says: /^transformer translate: bad\.txt:2: invalid UTF-8 byte 0xff at byte column 3$/,
  },
  'translate: the same invalid UTF-8 on stdin': {
    args: ['translate', '--model', 'model'],
    stdin: badUtf8,
    code: 1,
    says: /^transformer translate: stdin:2: invalid UTF-8 byte 0xff at byte column 3$/,
  },
  'translate: --output is the --input file': {
    args: ['translate', '--model', 'model', '--input', 'text.txt', '--output', 'folder/../text.txt'],
    code: 2,
    says: /--output folder\/\.\.\/text\.txt is the --input file/,
  },
  'translate: --beam 0': {
    args: ['translate', '--model', 'model', '--beam', '0'],
    code: 2,
    says: /--beam must be an integer from 1 to 1000, got "0"/,
  },
  'translate: --alpha x': {
    args: ['translate', '--model', 'model', '--alpha', 'x'],
    code: 2,
    says: /--alpha must be a number >= 0, got "x"/,
  },
  'translate: --top-p without --sample': {
    args: ['translate', '--model', 'model', '--top-p', '0.9'],
    code: 2,
    says: /--top-p goes with --sample/,
  },
  'translate: --sample with --temperature -1': {
    args: ['translate', '--model', 'model', '--sample', '--temperature', '-1'],
    code: 2,
    says: /--temperature needs a value; one that starts with "-" is written --temperature=-VALUE/,
  },
  'translate: --sample with --temperature=-1': {
    args: ['translate', '--model', 'model', '--sample', '--temperature=-1'],
    code: 2,
    says: /--temperature must be a number >= 0, got "-1"/,
  },
  'translate: an unknown flag': {
    args: ['translate', '--bogus'],
    code: 2,
    says: /unknown flag "--bogus"; transformer translate --help/,
  },
  'translate: a flag without its value': { args: ['translate', '--model'], code: 2, says: /--model needs a value/ },
  'translate: --output in a path through a file (the target is named, not the temporary file)': {
    args: ['translate', '--model', 'model', '--input', 'text.txt', '--output', 'text.txt/out.txt'],
    code: 1,
    says: /^transformer translate: text\.txt\/out\.txt: a path component is not a folder \(ENOTDIR\)$/,
  },
  'TRANSFORMER_BACKEND=cuda': {
    args: ['translate', '--model', 'model'],
    env: { TRANSFORMER_BACKEND: 'cuda' },
    code: 1,
    says: /TRANSFORMER_BACKEND must be "js", "native" or "wasm" \(or unset\), got "cuda"/,
  },
  'TRANSFORMER_THREADS=abc': {
    args: ['translate', '--model', 'model'],
    env: { TRANSFORMER_THREADS: 'abc' },
    code: 1,
    says: /TRANSFORMER_THREADS must be a whole number of threads, 1 or more, got "abc"/,
  },
  'bleu: line counts that differ': {
    args: ['bleu', 'three.txt', 'two.txt'],
    code: 1,
    says: /two\.txt has 2 lines but three\.txt has 3/,
  },
  'bleu: a missing hypothesis file': {
    args: ['bleu', 'nothing.txt', 'two.txt'],
    code: 1,
    says: /nothing\.txt: no such file/,
  },
  'bleu: unknown metrics, listed escaped and capped': {
    args: ['bleu', 'three.txt', 'three.txt', '-m', ['a\nb', ...'cdefghijklm'].join(',')],
    code: 2,
    says: /--metrics: unknown "a\\nb", "c", "d", .*"k" and 2 more; the metrics are bleu, chrf/,
  },
  'info: a file instead of a folder': {
    args: ['info', '--model', 'text.txt'],
    code: 1,
    says: /text\.txt\/config\.json/,
  },
  'info: no --model': { args: ['info'], code: 2, says: /--model DIR is required/ },
  'score: a line without a TAB': {
    args: ['score', '--model', 'model'],
    stdin: 'the cat\tthe dog\nno tab here\n',
    code: 1,
    says: /stdin:2: expected SOURCE<TAB>TARGET, found 0 tabs/,
  },
  'plot: a missing run': {
    args: ['plot', 'metrics', '--run', 'nowhere', '--out', 'x.svg'],
    code: 1,
    says: /nowhere\/metrics\.jsonl: no such file/,
  },
  'plot: --out in a path through a file': {
    args: ['plot', 'pe', '--dim', '8', '--out', 'text.txt/pe.svg'],
    code: 1,
    says: /^transformer plot: text\.txt\/pe\.svg: a path component is not a folder \(ENOTDIR\)$/,
  },
  'tokenizer encode: a missing tokenizer file': {
    args: ['tokenizer', 'encode', '--tokenizer', 'nothing.json'],
    code: 1,
    says: /tokenizer file nothing\.json: cannot read it/,
  },
  'tokenizer learn: a vocabulary below the base': {
    args: ['tokenizer', 'learn', '--input', 'text.txt', '--vocab-size', '10', '--output', 't.json'],
    code: 2,
    says: /--vocab-size 10 is below the base vocabulary/,
  },
  'tokenizer learn: --output in a path through a file': {
    args: ['tokenizer', 'learn', '--input', 'text.txt', '--vocab-size', '300', '--output', 'text.txt/t.json'],
    code: 1,
    says: /^transformer tokenizer: text\.txt\/t\.json: a path component is not a folder \(ENOTDIR\)$/,
  },
  'data make-task: --dir through a file': {
    args: ['data', 'make-task', '--dir', 'text.txt/task', '--train', '5'],
    code: 1,
    says: /^transformer data: text\.txt\/task: a path component is not a folder \(ENOTDIR\)$/,
  },
  'data make-text: --out through a file': {
    args: ['data', 'make-text', '--out', 'text.txt/long.txt', '--chars', '100'],
    code: 1,
    says: /^transformer data: text\.txt\/long\.txt: a path component is not a folder \(ENOTDIR\)$/,
  },
  'data: no sub-command': { args: ['data'], code: 2, says: /which one\? get, make-task, make-text or make-listops/ },
  'bench: an unknown benchmark': { args: ['bench', 'frob'], code: 2, says: /unknown benchmark "frob"/ },
  'export-marian: a folder that is not empty': {
    args: ['export-marian', '--model', 'model', '--out', 'full'],
    code: 2,
    says: /--out full already holds "keep\.txt"; give a new or empty folder/,
  },
  'serve: a port in use': {
    args: ['serve', '--model', 'model', '--port', String(busyPort.port)],
    code: 1,
    says: new RegExp(`port ${busyPort.port} on 127\\.0\\.0\\.1 is in use`),
  },
  'an unknown command': { args: ['frobnicate'], code: 2, says: /unknown command "frobnicate"/ },
};

test('every mistake is one line, names what is wrong, and exits 2 (command line) or 1 (files, settings)', async () => {
  const entries = Object.entries(cases);
  const results = await pool(
    entries.map(
      ([, c]) =>
        () =>
          run(c.args, c),
    ),
  );
  const problems: string[] = [];
  entries.forEach(([name, c], i) => {
    const { code, err } = results[i];
    const lines = err.split('\n');
    const why = [
      code !== c.code && `exit ${code}, expected ${c.code}`,
      (lines.length !== 2 || lines[1] !== '') && `${lines.length - 1} lines on stderr`,
      !c.says.test(lines[0]) && `does not say ${c.says}`,
      /\n\s+at /.test(err) && 'a stack trace',
      /\.tmp\b/.test(err) && 'names a temporary file',
    ].filter(Boolean);
    if (why.length > 0) problems.push(`${name}: ${why.join('; ')}\n  ${JSON.stringify(err)}`);
  });
  assert.deepEqual(problems, []);
});

test('TRANSFORMER_THREADS above the cores is capped with a one-line warning, and the command works', async () => {
  const r = await run(['translate', '--model', 'model', '--max-len-b', '2'], {
    stdin: 'the cat\n',
    env: { TRANSFORMER_THREADS: '100000' },
  });
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.err,
    /^transformer: warning: TRANSFORMER_THREADS=100000 is more than the \d+ cores here; using \d+\n$/,
  );
  assert.equal(r.out.split('\n').length, 2, 'one translated line');
});
