// The `transformer` command: one sub-command per file, dispatched here.

import { createRequire } from 'node:module';
import { reportError } from './report-error.js';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, { about: string; load: () => Promise<Command> }> = {
  demo: {
    about: 'train a small attention model on a generated task',
    load: async () => (await import('./demo.js')).demo,
  },
  bench: {
    about:
      'benchmarks: bench gemm|train|decode|attention (bench attention --kind K[,K] --seq N[,N] [--json] [--out F])',
    load: async () => (await import('./bench.js')).bench,
  },
  tokenizer: {
    about: 'subword tokenizer: tokenizer learn|encode|decode (tokenizer --help for the flags)',
    load: async () => (await import('./tokenizer.js')).tokenizer,
  },
  data: {
    about:
      'data sets: data get multi30k|newstest2014 [--dir D]; data make-task [--dir D] [--seed S] [--train N]; ' +
      'data make-text --out FILE [--chars N] [--seed S]',
    load: async () => (await import('./data.js')).data,
  },
  train: {
    about:
      'train a translation model: train --run DIR --source F --target F [--valid-source F --valid-target F] [--set k=v]',
    load: async () => (await import('./train.js')).train,
  },
  lm: {
    about:
      'a character language model: lm --text FILE --run DIR [--minutes M] [--seq N] [--batch B] [--set model.attention=JSON]',
    load: async () => (await import('./lm.js')).lm,
  },
  info: {
    about: 'a model folder: info --model DIR [--json] (config, parameters per module)',
    load: async () => (await import('./info.js')).info,
  },
  score: {
    about: 'forced decoding: score --model DIR [--ids] < SOURCE<TAB>TARGET lines; JSON log-probabilities per line',
    load: async () => (await import('./score.js')).score,
  },
  average: {
    about: 'checkpoint averaging: average --output OUT IN1 IN2 ... | average --run DIR --last N [--output DIR]',
    load: async () => (await import('./average.js')).average,
  },
  bleu: {
    about: 'BLEU, chrF as sacreBLEU: bleu HYP REF [REF ...] [--json] [--tokenize T] [--metrics bleu,chrf] [--sentence]',
    load: async () => (await import('./bleu.js')).bleu,
  },
  serve: {
    about: 'serve --model DIR [--port P] [--run DIR]: a web page with attention heatmaps, and its JSON API',
    load: async () => (await import('./serve.js')).serve,
  },
  translate: {
    about:
      'translate --model DIR [--beam K] [--alpha A] [--nbest N] [--input F] [--output F]: text lines, order kept; ' +
      'DIR may be a Hugging Face MarianMT folder',
    load: async () => (await import('./translate.js')).translate,
  },
  'export-marian': {
    about: 'export-marian --model DIR --out DIR: a Hugging Face MarianMT folder that transformers loads',
    load: async () => (await import('./export-marian.js')).exportMarian,
  },
  plot: {
    about: 'pictures as .svg or .png: plot attention|pe|lr|metrics ... --out FILE (plot --help for the flags)',
    load: async () => (await import('./plot.js')).plot,
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.about}`);
  return ['usage: transformer <command> [options]', '', 'commands:', ...lines, '', 'transformer --version'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
    console.log(pkg.version);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    console.error(`transformer: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest);
  } catch (error) {
    return reportError(name, error);
  }
}
