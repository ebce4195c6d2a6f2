// `transformer bleu`'s command line in both forms: ours, `bleu HYP REF [REF ...]`, and sacreBLEU's,
// `bleu REF [REF ...] -i HYP` or `bleu REF < HYP`, with sacreBLEU's short flags. Which file holds the
// hypotheses: the -i file when there is one; else with two or more files the first; else (one file)
// standard input, and the file is the reference.

import { fstatSync } from 'node:fs';
import { parseArgs } from 'node:util';

import {
  isTokenizerName,
  SMOOTH_METHODS,
  TOKENIZERS,
  type BleuOptions,
  type ChrfOptions,
  type SmoothMethod,
} from '../eval/index.js';
import { quote, quoteList } from '../quote.js';
import { integerFlag, numberFlag, UsageError } from './flags.js';

export type Metric = 'bleu' | 'chrf';
const METRICS: readonly Metric[] = ['bleu', 'chrf'];

/** Where the hypotheses come from: a file, or standard input ("-"). */
export const STDIN = '-';

export interface BleuSettings {
  json: boolean;
  sentence: boolean;
  scoreOnly: boolean;
  /** Decimals of the score; undefined: 2 in text, 1 in JSON (each as its tool prints it). */
  width: number | undefined;
  metrics: Metric[];
  bleu: BleuOptions;
  chrf: ChrfOptions;
  hypotheses: string;
  references: string[];
}

/** sacreBLEU's short flags of more than one letter, which node:util's parser cannot read as such. */
const LONG_NAMES: Record<string, string> = {
  '-tok': '--tokenize',
  '-lc': '--lowercase',
  '-sl': '--sentence',
  '--sentence-level': '--sentence',
  '-sv': '--smooth-value',
  '-cw': '--chrf-word-order',
};

/** Renames sacreBLEU's flags and gathers `-m bleu chrf` (sacreBLEU's space-separated metrics) into one value. */
function normalize(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    out.push(LONG_NAMES[arg] ?? arg);
    if ((arg === '-m' || arg === '--metrics') && i + 1 < argv.length) {
      const names = [argv[++i]];
      while (i + 1 < argv.length && (METRICS as readonly string[]).includes(argv[i + 1].toLowerCase()))
        names.push(argv[++i]);
      out.push(names.join(','));
    }
  }
  return out;
}

export function parseBleuArgs(argv: readonly string[]): BleuSettings {
  const { values, positionals } = parseArgs({
    args: normalize(argv),
    strict: true,
    allowPositionals: true,
    options: {
      input: { type: 'string', short: 'i' },
      json: { type: 'boolean', default: false },
      format: { type: 'string', short: 'f', default: 'text' },
      metrics: { type: 'string', short: 'm', multiple: true },
      tokenize: { type: 'string', default: '13a' },
      lowercase: { type: 'boolean', default: false },
      sentence: { type: 'boolean', default: false },
      'smooth-method': { type: 'string', short: 's', default: 'exp' },
      'smooth-value': { type: 'string' },
      'chrf-word-order': { type: 'string', default: '0' },
      width: { type: 'string', short: 'w' },
      'score-only': { type: 'boolean', short: 'b', default: false },
    },
  });
  if (values.format !== 'json' && values.format !== 'text')
    throw new UsageError(`--format must be json or text, got ${quote(values.format)}`);
  const tokenize = values.tokenize;
  if (!isTokenizerName(tokenize))
    throw new UsageError(`--tokenize must be one of ${TOKENIZERS.join(', ')}, got ${quote(tokenize)}`);
  const smoothMethod = values['smooth-method'] as SmoothMethod;
  if (!SMOOTH_METHODS.includes(smoothMethod))
    throw new UsageError(`--smooth-method must be one of ${SMOOTH_METHODS.join(', ')}, got ${quote(smoothMethod)}`);
  const raw = values['smooth-value'];
  return {
    json: values.json || values.format === 'json',
    sentence: values.sentence,
    scoreOnly: values['score-only'],
    width: values.width === undefined ? undefined : integerFlag('--width', values.width, 0, 10),
    metrics: parseMetrics(values.metrics ?? ['bleu']),
    bleu: {
      tokenize,
      lowercase: values.lowercase,
      smoothMethod,
      smoothValue: raw === undefined ? undefined : numberFlag('--smooth-value', raw, { min: 0 }),
    },
    chrf: { wordOrder: integerFlag('--chrf-word-order', values['chrf-word-order'], 0, 9), lowercase: values.lowercase },
    ...whichFiles(values.input, positionals),
  };
}

function parseMetrics(values: readonly string[]): Metric[] {
  const names = values.flatMap((v) => v.split(',')).map((m) => m.trim().toLowerCase());
  const unknown = names.filter((m) => !(METRICS as readonly string[]).includes(m));
  if (unknown.length > 0) throw new UsageError(`--metrics: unknown ${quoteList(unknown)}; the metrics are bleu, chrf`);
  return [...new Set(names)] as Metric[];
}

/** The rule of the header comment, refusing what it cannot tell apart. */
function whichFiles(input: string | undefined, files: string[]): { hypotheses: string; references: string[] } {
  if (input !== undefined) {
    if (files.length === 0) throw new UsageError('-i HYP needs at least one reference file: bleu REF [REF ...] -i HYP');
    return { hypotheses: input, references: files };
  }
  if (files.length === 0)
    throw new UsageError('give the files: bleu HYP REF [REF ...], or bleu REF [REF ...] -i HYP, or bleu REF < HYP');
  if (files.length === 1) {
    if (process.stdin.isTTY)
      throw new UsageError(
        `one file, ${quote(files[0])}, is the reference, and the hypotheses are read from standard input, ` +
          'which is a terminal: give -i HYP, pipe them in, or use bleu HYP REF',
      );
    return { hypotheses: STDIN, references: files };
  }
  if (stdinIsRedirectedFile())
    throw new UsageError(
      `standard input is a file and ${files.length} files are given: ${quote(files[0])} would be read as the ` +
        'hypotheses; write bleu REF [REF ...] -i - to score standard input against them all',
    );
  return { hypotheses: files[0], references: files.slice(1) };
}

/** True for `< FILE` with something in it: then the user meant the hypotheses to come from there. */
function stdinIsRedirectedFile(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFile() && stat.size > 0;
  } catch {
    return false;
  }
}
