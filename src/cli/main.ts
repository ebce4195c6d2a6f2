// The `transformer` command: one sub-command per file, dispatched here. Help is answered from
// help.ts before a command is loaded; whatever a command throws is reported by report-error.ts.

import { createRequire } from 'node:module';
import { quote } from '../quote.js';
import { commandHelp, mainHelp, wantsHelp } from './help.js';
import { reportError } from './report-error.js';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./demo.js')).demo,
  bench: async () => (await import('./bench.js')).bench,
  tokenizer: async () => (await import('./tokenizer.js')).tokenizer,
  data: async () => (await import('./data.js')).data,
  train: async () => (await import('./train.js')).train,
  lm: async () => (await import('./lm.js')).lm,
  info: async () => (await import('./info.js')).info,
  score: async () => (await import('./score.js')).score,
  average: async () => (await import('./average.js')).average,
  bleu: async () => (await import('./bleu.js')).bleu,
  serve: async () => (await import('./serve.js')).serve,
  translate: async () => (await import('./translate.js')).translate,
  'export-marian': async () => (await import('./export-marian.js')).exportMarian,
  convert: async () => (await import('./convert.js')).convert,
  plot: async () => (await import('./plot.js')).plot,
  classify: async () => (await import('./classify.js')).classify,
  'fill-mask': async () => (await import('./fill-mask.js')).fillMask,
  generate: async () => (await import('./generate.js')).generate,
  perplexity: async () => (await import('./perplexity.js')).perplexityCommand,
};

/**
 * Node prints a warning in two lines with the process id; the command prints ours in one line like
 * its errors. For the command's own process (bin/transformer.js), not for programs that call main().
 */
export function printWarningsOnOneLine(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    const ours = warning.code?.startsWith('TRANSFORMER_') === true;
    console.error(ours ? `transformer: warning: ${warning.message}` : `node: ${warning.name}: ${warning.message}`);
  });
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') {
    const help = rest.length === 0 ? mainHelp() : commandHelp(rest[0], rest[1]);
    if (help === null) return unknownCommand(rest[0]);
    console.log(help);
    return 0;
  }
  if (name === '--version') {
    const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
    console.log(pkg.version);
    return 0;
  }
  const load = commands[name];
  if (load === undefined) return unknownCommand(name);
  if (wantsHelp(rest)) {
    console.log(commandHelp(name, rest[0]));
    return 0;
  }
  try {
    return await (
      await load()
    )(rest);
  } catch (error) {
    return reportError(name, error);
  }
}

function unknownCommand(name: string): number {
  console.error(`transformer: unknown command ${quote(name)}; transformer --help lists the commands`);
  return 2;
}
