// `transformer X --help` for every command: exit 0 and every flag that X's parseArgs accepts, read from
// the command's source, so that a flag added to a command without its help line fails here.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCliAsync } from '../helpers/cli.js';

const cliSources = fileURLToPath(new URL('../../../src/cli/', import.meta.url));

/** The command line whose help must list the flags of each source file that calls parseArgs. */
const HELP_OF: Record<string, string[]> = {
  'demo.ts': ['demo'],
  'train.ts': ['train'],
  'lm.ts': ['lm'],
  'info.ts': ['info'],
  'score.ts': ['score'],
  'average.ts': ['average'],
  'bleu-args.ts': ['bleu'],
  'serve.ts': ['serve'],
  'translate-options.ts': ['translate'],
  'export-marian.ts': ['export-marian'],
  'convert.ts': ['convert'],
  'plot.ts': ['plot'],
  'tokenizer.ts': ['tokenizer'],
  'data.ts': ['data'],
  'data-listops.ts': ['data'],
  'train-encoder.ts': ['train'],
  'classify.ts': ['classify'],
  'fill-mask.ts': ['fill-mask'],
  'generate.ts': ['generate'],
  'perplexity.ts': ['perplexity'],
  'bench-gemm.ts': ['bench', 'gemm'],
  'bench-train.ts': ['bench', 'train'],
  'bench-decode.ts': ['bench', 'decode'],
  'bench-decode-onnx.ts': ['bench', 'decode'],
  'bench-attention.ts': ['bench', 'attention'],
};

/** The option names of every parseArgs call in a source file: `name: { type: ...` and `'a-b': { type: ...`. */
function optionNames(source: string): string[] {
  const names = [...source.matchAll(/(?:^|[{,])\s*'?([a-z][a-z0-9-]*)'?: \{ type: '(?:string|boolean)'/gm)].map(
    (m) => m[1],
  );
  return [...new Set(names)].filter((name) => name !== 'help');
}

const run = (args: string[]) => runCliAsync(args);

test('every source file with a parseArgs call is mapped to the help that lists its flags', () => {
  const withParser = readdirSync(cliSources).filter(
    (file) => file.endsWith('.ts') && readFileSync(`${cliSources}${file}`, 'utf8').includes('parseArgs({'),
  );
  assert.deepEqual(withParser.sort(), Object.keys(HELP_OF).sort());
});

test('--help of every command exits 0 and lists every flag its parseArgs accepts', async () => {
  const entries = Object.entries(HELP_OF);
  const results = await Promise.all(entries.map(([, command]) => run([...command, '--help'])));
  const missing: string[] = [];
  entries.forEach(([file, command], i) => {
    const { code, out, err } = results[i];
    assert.equal(code, 0, `${command.join(' ')} --help: ${err}`);
    assert.equal(err, '');
    assert.match(out, new RegExp(`^usage: transformer ${command.join(' ')} `));
    const names = optionNames(readFileSync(`${cliSources}${file}`, 'utf8'));
    assert.ok(names.length > 0, `${file}: no options found`);
    for (const name of names)
      if (!new RegExp(`--${name}\\b(?!-)`).test(out)) missing.push(`${command.join(' ')}: --${name}`);
  });
  assert.deepEqual(missing, []);
});

test('-h, "help X" and "X SUB --help" give the same help; the list of commands names them all', async () => {
  const [long, short, word, sub, subWord, all] = await Promise.all([
    run(['translate', '--help']),
    run(['translate', '-h']),
    run(['help', 'translate']),
    run(['bench', 'gemm', '--help']),
    run(['help', 'bench', 'gemm']),
    run(['--help']),
  ]);
  assert.equal(short.out, long.out);
  assert.equal(word.out, long.out);
  assert.equal(subWord.out, sub.out);
  assert.match(sub.out, /--size N/);
  assert.doesNotMatch(sub.out, /--preset/, 'only the benchmark asked for');
  for (const command of new Set(Object.values(HELP_OF).map((c) => c[0])))
    assert.match(all.out, new RegExp(`^  ${command} `, 'm'), command);
  assert.match(all.out, /TRANSFORMER_THREADS/);
});

test('help is answered before the command is loaded: a bad backend setting does not stop it', async () => {
  const child = await runCliAsync(['translate', '--help'], { env: { TRANSFORMER_BACKEND: 'cuda' } });
  assert.equal(child.code, 0);
  assert.match(child.out, /--sample/);
});
