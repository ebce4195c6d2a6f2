// The help of every sub-command: usage lines, one line per flag with its default, and notes. Kept in
// one place so that `transformer X --help` answers without loading X; test/cli/help.test.ts checks
// that every flag a command's parseArgs accepts is listed here.

import { encoderTrainDefaults, trainDefaults } from '../train/options.js';
import {
  bench,
  data,
  flag,
  MODEL,
  plot,
  PRECISION,
  QUANTIZE,
  THREADS,
  tokenizer,
  type CommandHelp,
} from './help-subcommands.js';

export type { CommandHelp, FlagHelp } from './help-subcommands.js';

/** "maxTokens=4096 steps=100000 ...": the train.* keys of --set with their defaults. */
function trainKeys(): string {
  const { schedule, ...rest } = trainDefaults;
  const plain = Object.entries(rest).map(([k, v]) => `${k}=${v}`);
  const nested = Object.entries(schedule)
    .filter(([k]) => k !== 'dModel' && k !== 'totalSteps')
    .map(([k, v]) => `schedule.${k}=${v}`);
  return [...plain, ...nested].join(' ');
}

/** The train.* defaults of the encoder tasks that differ from translation's. */
function encoderKeys(): string {
  const flat = (o: typeof trainDefaults) => ({
    ...o,
    ...Object.fromEntries(Object.entries(o.schedule).map(([k, v]) => [`schedule.${k}`, v])),
  });
  const [base, ours] = [flat(trainDefaults), flat(encoderTrainDefaults)] as Record<string, unknown>[];
  return Object.keys(ours)
    .filter((k) => k !== 'schedule' && !['schedule.dModel', 'schedule.totalSteps'].includes(k) && ours[k] !== base[k])
    .map((k) => `${k}=${ours[k]}`)
    .join(' ');
}

export const COMMAND_HELP: Record<string, CommandHelp> = {
  demo: {
    usage: ['[--run DIR] [--updates N] [--target BLEU] [--max-minutes M] [--seed S] [--train-size N]'],
    about: 'The main job: generates a translation task, trains a small Transformer on it and reports BLEU.',
    flags: [
      flag('run', 'DIR', 'the run folder it leaves (a model folder)', 'demo-run'),
      flag('updates', 'N', 'train for at most N updates (fewer once validation BLEU passes target + 4)', '1000'),
      flag('target', 'BLEU', 'the test BLEU to pass; below it the demo says so and exits 1', '90'),
      flag('max-minutes', 'M', 'a safety net: stop training after M minutes even if short of the updates', '30'),
      flag('seed', 'S', 'seed of the task and of training', '1'),
      flag('train-size', 'N', 'training pairs', '20000'),
    ],
  },
  bench: {
    usage: ['gemm|train|decode|attention [flags]'],
    about: 'Throughput benchmarks.',
    sub: bench,
  },
  tokenizer: {
    usage: ['learn|encode|decode [flags]'],
    about: 'The subword tokenizer: learn one from text, apply it to standard input.',
    sub: tokenizer,
  },
  data: {
    usage: ['get|make-task|make-text|make-listops [flags]'],
    about: 'Data sets: download public ones, write the built-in task, generate a long text.',
    sub: data,
  },
  train: {
    usage: [
      '--run DIR --source F --target F [--valid-source F --valid-target F] [--set KEY=VALUE]...',
      '--run DIR   (resumes the run in DIR)',
      '--task classify|tag|mlm --run DIR --train F [--valid F] [--test F] [--tokenizer F|words | --init DIR]',
      '--task lm --text F --run DIR [--tokenizer F | --vocab-size N] ...   (the flags of transformer lm)',
    ],
    about:
      'Trains a translation model (or with --task an encoder-only one); the run folder is a model folder, resumed when run again.',
    flags: [
      flag('run', 'DIR', 'the run folder'),
      flag('source', 'FILE', 'training sources, one sentence per line'),
      flag('target', 'FILE', 'training targets, line by line with --source'),
      flag('valid-source', 'FILE', 'validation sources'),
      flag('valid-target', 'FILE', 'validation targets'),
      flag('preset', 'P', 'model size: small, base, big or tiny', 'small'),
      flag('vocab-size', 'N', 'pieces of the tokenizer learned from the training text', '8000'),
      flag('tokenizer', 'FILE', 'use this tokenizer.json instead of learning one'),
      flag('init', 'DIR', 'start from this model folder (ours or Marian): its weights, config and tokenizer'),
      flag('bleu-sentences', 'N', 'validation sentences decoded for BLEU; 0 is none', '500'),
      flag('set', 'KEY=VALUE', 'override a setting: model.KEY=VALUE or train.KEY=VALUE (repeatable)'),
      flag(
        'task',
        'T',
        'translation, an encoder-only task: classify (TSV text<TAB>label), tag (CoNLL columns), mlm; ' +
          'or lm, a language model (transformer lm --help)',
        'translation',
      ),
      flag('train', 'FILE', 'encoder tasks: the training file (docs/encoder-only.md)'),
      flag('valid', 'FILE', 'encoder tasks: the validation file; its best score keeps model.safetensors'),
      flag('test', 'FILE', 'encoder tasks: scored with the best model at the end'),
      flag('init', 'DIR', "encoder tasks: start from this model folder's weights and tokenizer (a new head)"),
    ],
    notes: [
      `train keys and defaults: ${trainKeys()}`,
      'model keys: any key of config.json, e.g. model.dModel=512',
      'encoder tasks: --tokenizer words learns a word-level vocabulary (every training word one token, e.g. ListOps);',
      `  their train defaults differ: ${encoderKeys()}`,
    ],
  },
  lm: {
    usage: [
      '--text FILE --run DIR [--tokenizer FILE | --vocab-size N] [--minutes M] [--steps S] [--seq N] [--batch B] ' +
        '[--set KEY=VALUE]...',
    ],
    about:
      'Trains a language model (a decoder-only model) on a text: of characters, or of subword tokens ' +
      'with --tokenizer or --vocab-size (each line followed by EOS); `transformer train --task lm` takes the same ' +
      'flags. transformer generate continues prompts with it.',
    flags: [
      flag('text', 'FILE', 'the training text (the last 5% is held out)'),
      flag('run', 'DIR', 'the run folder'),
      flag('tokenizer', 'FILE', 'a token-level model with this tokenizer.json (copied into the run folder)'),
      flag('vocab-size', 'N', 'a token-level model with a BPE tokenizer of N pieces learned from the text'),
      flag('minutes', 'M', 'train for M minutes; 0 is no limit', '10'),
      flag('steps', 'S', 'train for S updates; 0 is no limit', '0'),
      flag('seq', 'N', 'characters (or tokens) per window', '256'),
      flag('batch', 'B', 'windows per update', '8'),
      THREADS,
      flag('set', 'KEY=VALUE', 'model.KEY=VALUE or train.KEY=VALUE (repeatable), e.g. model.attention=JSON'),
    ],
  },
  info: {
    usage: ['--model DIR [--json]'],
    about: 'A model folder (ours or a Hugging Face Marian folder): its config and parameters per module.',
    flags: [MODEL, flag('json', undefined, 'print the report as one JSON object')],
  },
  score: {
    usage: ['--model DIR [--ids] [--batch-size N] [--precision float32|bf16] [--quantize none|int8]  < lines'],
    about: 'Forced decoding: the log-probability of every token of each line, one JSON line per line.',
    flags: [
      MODEL,
      flag('ids', undefined, 'lines are token ids separated by spaces (no tokenizer)'),
      flag('batch-size', 'N', 'lines scored together', '32'),
      PRECISION,
      QUANTIZE,
    ],
    notes: ['Lines are SOURCE<TAB>TARGET for an encoder-decoder model, one sequence for a decoder-only model.'],
  },
  average: {
    usage: ['--output OUT.safetensors IN1.safetensors IN2.safetensors ...', '--run DIR --last N [--output DIR]'],
    about: 'Averages checkpoints: given files, or the last N step checkpoints of a run.',
    flags: [
      flag('output', 'PATH', 'the averaged weights (a file), or with --run a model folder', 'RUN/averaged'),
      flag('run', 'DIR', 'a run folder whose checkpoints/ to average'),
      flag('last', 'N', 'how many of the newest step checkpoints'),
      flag('dtype', 'D', 'float32, or bf16: weights stored as BF16, half the size (read back as float32)', 'float32'),
    ],
  },
  bleu: {
    usage: ['HYP REF [REF ...] [flags]', 'REF [REF ...] -i HYP [flags]', 'REF [flags]  < HYP'],
    about: 'Corpus or sentence BLEU and chrF, as sacreBLEU 2.6 computes them.',
    flags: [
      {
        ...flag('input', 'HYP', "the hypotheses (sacreBLEU's form; then every file given is a reference; - is stdin)"),
        short: '-i',
      },
      flag('json', undefined, "print sacreBLEU's JSON (same as -f json)"),
      { ...flag('format', 'json|text', 'output format', 'text'), short: '-f' },
      {
        ...flag('metrics', 'bleu,chrf', 'metrics, comma-separated or repeated (also -m bleu chrf)', 'bleu'),
        short: '-m',
      },
      flag('tokenize', 'T', 'BLEU tokenizer: none, 13a, intl or char (also -tok T)', '13a'),
      flag('lowercase', undefined, 'case-insensitive (also -lc)'),
      flag('sentence', undefined, 'one score per line, with effective order (also --sentence-level, -sl)'),
      { ...flag('smooth-method', 'M', 'BLEU smoothing: none, floor, add-k or exp', 'exp'), short: '-s' },
      flag('smooth-value', 'V', 'value for floor and add-k (also -sv V)', '0.1 for floor, 1 for add-k'),
      flag('chrf-word-order', 'N', 'word n-grams of chrF; 2 is chrF++ (also -cw N)', '0'),
      { ...flag('width', 'N', 'decimals of the score', '2 in text, 1 in JSON as sacreBLEU'), short: '-w' },
      { ...flag('score-only', undefined, 'print the score alone'), short: '-b' },
    ],
    notes: [
      'Which file holds the hypotheses: with -i, the -i file (every other file is a reference); else with',
      'two or more files, the first one (HYP REF...); else with one file, that file is the reference and',
      'the hypotheses are read from standard input. For several references and hypotheses on standard',
      'input, write -i - . Each REF holds one reference per line of HYP.',
      "JSON: sacreBLEU's object per metric (name, score, signature, verbose_score for BLEU, and the",
      'signature fields), a list of them for several metrics, followed by our statistics (counts, totals,',
      'precisions, bp, ratio, hyp_len, ref_len for BLEU); with --sentence, one JSON line per line and metric.',
    ],
  },
  serve: {
    usage: ['--model DIR [--run DIR] [--host H] [--port P] [flags]', '--playground [--host H] [--port P] [--log]'],
    about:
      'A web page with attention heatmaps and a JSON API, on a local port: translation for an encoder-decoder, ' +
      'labels or masked-word fillers for an encoder-only model, streamed generation for a decoder-only one.',
    flags: [
      flag('model', 'DIR', 'a model folder with tokenizer.json (or a character LM with vocabulary.json), of any kind'),
      flag('run', 'DIR', 'a run folder whose metrics.jsonl the page plots', 'the model folder, if it has one'),
      flag('host', 'H', 'address to listen on', '127.0.0.1: this machine only'),
      flag('allowed-host', 'NAME', 'another name the Host header may give, for a proxy or DNS name (repeatable)'),
      flag('port', 'P', 'port; 0 picks a free one', '8080'),
      THREADS,
      PRECISION,
      QUANTIZE,
      flag('max-tokens', 'N', 'longest source sentence, text or prompt in tokens', '128'),
      flag('max-body', 'BYTES', 'largest request body; larger ones get 413', '16384'),
      flag('max-batch', 'N', 'sentences translated together', '16'),
      flag('max-queue', 'N', 'sentences waiting at most; more get 503', '64'),
      flag('max-new-tokens', 'N', 'tokens a decoder-only model generates per request at most', '200'),
      flag('log', undefined, 'one line per request on stderr'),
      flag(
        'playground',
        undefined,
        'serve the playground instead: a page that trains a model in the tab (docs/playground.md)',
      ),
    ],
  },
  translate: {
    usage: [
      '--model DIR [--beam K] [--alpha A] [--nbest N] [--input F] [--output F] [flags]',
      '--model DIR --sample [--temperature T] [--top-k K] [--top-p P] [--samples N] [--seed S]',
    ],
    about: 'Translates text lines (standard input or --input), order kept; DIR may be a Hugging Face Marian folder.',
    flags: [
      MODEL,
      flag('beam', 'K', 'beam size; 1 is greedy decoding', "4, or a Marian folder's num_beams"),
      flag('alpha', 'A', 'length penalty ((5 + |Y|) / 6)^A', '0.6'),
      flag('nbest', 'N', 'write the N best as "LINE ||| TEXT ||| SCORE", LINE from 0; 1 writes the text only', '1'),
      flag('batch-size', 'B', 'sentences decoded together', '32'),
      flag('max-len-a', 'A', 'at most floor(A * source tokens + B) output tokens', '1, or 0 for a Marian folder'),
      flag('max-len-b', 'B', 'see --max-len-a', "50, or a Marian folder's max_length - 2"),
      flag('min-len', 'N', 'no EOS before N tokens', '0'),
      flag('no-repeat-ngram', 'N', 'never repeat an n-gram of N tokens; 0 is off', '0'),
      flag('ids', undefined, 'lines are token ids separated by spaces, in and out (no tokenizer)'),
      flag('input', 'FILE', 'read this file instead of standard input'),
      flag('output', 'FILE', 'write here (atomically; never the --input file) instead of standard output'),
      flag('sample', undefined, 'draw translations from the model instead of searching (no --beam, --nbest, --alpha)'),
      flag('samples', 'N', 'with --sample: N per line, as "LINE ||| TEXT ||| LOG-PROBABILITY" when N > 1', '1'),
      flag('temperature', 'T', 'with --sample: divide the logits by T; 0 is greedy', '1'),
      flag('top-k', 'K', 'with --sample: draw among the K most probable tokens; 0 is all', '0'),
      flag('top-p', 'P', 'with --sample: draw among the most probable tokens that make up P, in (0, 1]', '1'),
      flag('repetition-penalty', 'R', "with --sample: CTRL's penalty on tokens already output; 1 is off", '1'),
      flag('seed', 'S', "with --sample: a line's samples depend only on S and its line number", '0'),
      PRECISION,
      QUANTIZE,
    ],
  },
  'export-marian': {
    usage: ['--model DIR --out DIR [--beam K] [--max-length N]'],
    about: 'Writes an encoder-decoder model folder as a Hugging Face MarianMT folder (atomically, to a new folder).',
    flags: [
      MODEL,
      flag('out', 'DIR', 'the new folder: it must not exist or be empty'),
      flag('beam', 'K', 'num_beams recorded for generation', "4, or the Marian folder's"),
      flag('max-length', 'N', 'max_length recorded for generation', "the model's maxLength, or the folder's"),
    ],
  },
  convert: {
    usage: ['--model DIR --out DIR [--quantize int8]'],
    about:
      'Writes a model folder again with model.safetensors weights, in its own format: a Marian folder with ' +
      'pytorch_model.bin becomes one with model.safetensors (atomically, to a new folder).',
    flags: [
      MODEL,
      flag('out', 'DIR', 'the new folder: it must not exist or be empty'),
      flag('quantize', 'Q', 'int8: write our folder with int8 linear layers and embeddings (I8 + F32 scales)', 'none'),
    ],
  },
  classify: {
    usage: ['--model DIR [--input F] [--json] [--batch-size N]  < lines'],
    about: 'The label of each line from an encoder-only classifier (train --task classify), one per line.',
    flags: [
      MODEL,
      flag(
        'input',
        'FILE',
        "read this file instead of standard input: plain lines, or a TSV with a header (LRA's Source<TAB>Target)",
      ),
      flag('json', undefined, "one JSON object per line: the label and every label's probability"),
      flag('batch-size', 'N', 'lines classified together', '32'),
    ],
  },
  'fill-mask': {
    usage: ['--model DIR [--input F] [--top-k K] [--json]  < lines with <mask>'],
    about: 'The most probable fillers of each <mask> in a line, from a masked-LM (train --task mlm).',
    flags: [
      MODEL,
      flag('input', 'FILE', 'read this file instead of standard input'),
      flag('top-k', 'K', 'fillers shown per mask', '5'),
      flag('json', undefined, 'one JSON object per line: {"line", "masks": [[{"token", "score"}...]...]}'),
    ],
  },
  generate: {
    usage: [
      '--model DIR [--prompt TEXT]... [--input F] [--max-new-tokens N] [--do-sample [--temperature T] ...] [--json]',
      '--model DIR [--prompt TEXT]... [--input F] --beam N [--nbest K] [--alpha A] [--no-repeat-ngram N]',
    ],
    about:
      'Continues each prompt (--prompt, or one per line of --input or standard input) with a decoder-only ' +
      'language model (transformer lm, or train --task lm): greedy by default, drawn with --do-sample, beam ' +
      'search with --beam N. Prompts of any lengths are decoded together, --batch-size at a time, each as it would be alone.',
    flags: [
      MODEL,
      flag('prompt', 'TEXT', 'a prompt; repeat the flag for several'),
      flag('input', 'FILE', 'read the prompts from this file, one per line, instead of standard input'),
      flag('max-new-tokens', 'N', "tokens to add at most (fewer when the model's maxLength is reached)", '50'),
      flag('do-sample', undefined, 'draw each token instead of taking the most probable one'),
      flag('temperature', 'T', 'with --do-sample: divide the logits by T; 0 is greedy', '1'),
      flag('top-k', 'K', 'with --do-sample: draw among the K most probable tokens; 0 is all', '0'),
      flag('top-p', 'P', 'with --do-sample: draw among the most probable tokens that make up P, in (0, 1]', '1'),
      flag('seed', 'S', "with --do-sample: a prompt's draw depends only on S and its place in the input", '0'),
      flag('repetition-penalty', 'R', "CTRL's penalty on tokens already in the prompt or output; 1 is off", '1'),
      flag('no-repeat-ngram', 'N', 'never repeat an n-gram of N tokens; 0 is off', '0'),
      flag('num-return-sequences', 'N', 'with --do-sample: continuations per prompt; with --beam: the N best', '1'),
      flag('beam', 'N', 'beam search with N hypotheses per prompt; 1 is greedy search', '1'),
      flag('nbest', 'K', 'with --beam: write the K best continuations, best first (= --num-return-sequences)', '1'),
      flag('alpha', 'A', "with --beam: the length penalty's exponent, ((5 + |Y|) / 6)^A", '0.6'),
      flag('continuation-only', undefined, 'write the continuation without its prompt'),
      flag('json', undefined, 'one JSON line per prompt: {"prompt", "generated_text": [...]}'),
      flag('batch-size', 'N', 'prompts generated together, of any lengths (left-padded)', '16'),
    ],
  },
  perplexity: {
    usage: ['--model DIR --input F [--stride S] [--batch-size N] [--json]'],
    about:
      'The perplexity of a text file under a decoder-only language model: per character for a character model ' +
      '(the text as it is), per token for one with a tokenizer (each line followed by EOS).',
    flags: [
      MODEL,
      flag('input', 'FILE', 'the held-out text'),
      flag(
        'stride',
        'S',
        "new tokens scored per window of the model's maxLength; less gives more context",
        'maxLength',
      ),
      flag('batch-size', 'N', 'windows run together', '8'),
      flag('json', undefined, 'one JSON line: {"perplexity", "nll", "scored", "unit", "bitsPerUnit", "stride"}'),
    ],
  },
  plot: {
    usage: ['attention|pe|lr|metrics [flags] --out FILE.svg|FILE.png'],
    about: 'Pictures as .svg or .png files (written atomically).',
    sub: plot,
  },
};
