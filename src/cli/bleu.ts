// `transformer bleu HYP REF [REF ...]`: corpus or sentence BLEU and chrF as sacreBLEU 2.6 reports them.

import { readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { parseArgs } from 'node:util';

import { firstInvalidUtf8 } from '../data/utf8.js';
import {
  corpusBleu,
  corpusChrf,
  formatBleu,
  formatChrf,
  isTokenizerName,
  sentenceBleu,
  sentenceChrf,
  SMOOTH_METHODS,
  TOKENIZERS,
  type BleuOptions,
  type BleuScore,
  type ChrfOptions,
  type ChrfScore,
  type SmoothMethod,
} from '../eval/index.js';
import { integerFlag, UsageError } from './flags.js';

const USAGE = `usage: transformer bleu HYP REF [REF ...] [--json] [--tokenize ${TOKENIZERS.join('|')}] [--lowercase]
       [--metrics bleu,chrf] [--sentence] [--smooth-method ${SMOOTH_METHODS.join('|')}] [--smooth-value V]
       [--chrf-word-order N]
Each REF file holds one reference per line of HYP; several REF files give several references.
--json: one JSON object per score, each on its own line.`;

/**
 * A file's lines as sacreBLEU's command reads them: UTF-8, split on "\n" only (a "\r" stays, for
 * BLEU's tokenization to strip), a byte-order mark kept as part of the first line.
 */
export function readTextLines(path: string): string[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1;
    let line = 1;
    for (let i = bytes.indexOf(0x0a); i !== -1 && i < at; i = bytes.indexOf(0x0a, i + 1)) line++;
    const hex = bytes[at].toString(16).padStart(2, '0');
    throw new UsageError(`${path}:${line}: invalid UTF-8 byte 0x${hex} at byte column ${at - lineStart + 1}`);
  }
  const lines = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

type Metric = 'bleu' | 'chrf';

function parseMetrics(value: string): Metric[] {
  const names = value.split(',').map((m) => m.trim().toLowerCase());
  for (const m of names)
    if (m !== 'bleu' && m !== 'chrf') throw new UsageError(`--metrics: unknown metric "${m}" (bleu, chrf)`);
  if (names.length === 0 || new Set(names).size !== names.length) throw new UsageError(`--metrics: "${value}"`);
  return names as Metric[];
}

function bleuJson(s: BleuScore) {
  return {
    name: 'BLEU',
    score: s.score,
    signature: s.signature,
    counts: s.counts,
    totals: s.totals,
    precisions: s.precisions,
    bp: s.bp,
    ratio: s.ratio,
    hyp_len: s.sysLen,
    ref_len: s.refLen,
  };
}

const chrfJson = (s: ChrfScore) => ({ name: s.name, score: s.score, signature: s.signature, statistics: s.statistics });

interface Settings {
  json: boolean;
  sentence: boolean;
  metrics: Metric[];
  bleu: BleuOptions;
  chrf: ChrfOptions;
  files: string[];
}

function parseSettings(argv: string[]): Settings | null {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      tokenize: { type: 'string', default: '13a' },
      lowercase: { type: 'boolean', default: false },
      metrics: { type: 'string', default: 'bleu' },
      sentence: { type: 'boolean', default: false },
      'smooth-method': { type: 'string', default: 'exp' },
      'smooth-value': { type: 'string' },
      'chrf-word-order': { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  if (positionals.length < 2)
    throw new UsageError(`a hypothesis file and at least one reference file are needed\n${USAGE}`);
  const tokenize = values.tokenize;
  if (!isTokenizerName(tokenize))
    throw new UsageError(`--tokenize must be one of ${TOKENIZERS.join(', ')}, got "${tokenize}"`);
  const smoothMethod = values['smooth-method'] as SmoothMethod;
  if (!SMOOTH_METHODS.includes(smoothMethod)) {
    throw new UsageError(`--smooth-method must be one of ${SMOOTH_METHODS.join(', ')}, got "${smoothMethod}"`);
  }
  const raw = values['smooth-value'];
  const smoothValue = raw === undefined ? undefined : Number(raw);
  if (raw !== undefined && (raw.trim() === '' || !Number.isFinite(smoothValue) || smoothValue! < 0)) {
    throw new UsageError(`--smooth-value must be a number of 0 or more, got "${raw}"`);
  }
  return {
    json: values.json,
    sentence: values.sentence,
    metrics: parseMetrics(values.metrics),
    bleu: { tokenize, lowercase: values.lowercase, smoothMethod, smoothValue },
    chrf: { wordOrder: integerFlag('--chrf-word-order', values['chrf-word-order'], 0, 9), lowercase: values.lowercase },
    files: positionals,
  };
}

/** The hypotheses and the reference streams, checked: equal line counts, no line without a reference. */
function readInputs([hypPath, ...refPaths]: string[]): { hypotheses: string[]; references: string[][] } {
  const hypotheses = readTextLines(hypPath);
  const references = refPaths.map((path) => {
    const stream = readTextLines(path);
    if (stream.length !== hypotheses.length) {
      throw new UsageError(`${path} has ${stream.length} lines but ${hypPath} has ${hypotheses.length}`);
    }
    return stream;
  });
  const empty = hypotheses.findIndex((_, i) => references.every((stream) => stream[i] === ''));
  if (empty !== -1) throw new UsageError(`line ${empty + 1}: every reference is empty (${refPaths.join(', ')})`);
  return { hypotheses, references };
}

export async function bleu(argv: string[]): Promise<number> {
  const settings = parseSettings(argv);
  if (settings === null) {
    console.log(USAGE);
    return 0;
  }
  const { hypotheses, references } = readInputs(settings.files);
  const print = (s: BleuScore | ChrfScore, extra: { line?: number } = {}) => {
    if (!settings.json) console.log('counts' in s ? formatBleu(s) : formatChrf(s));
    else console.log(JSON.stringify({ ...extra, ...('counts' in s ? bleuJson(s) : chrfJson(s)) }));
  };
  if (!settings.sentence) {
    for (const metric of settings.metrics) {
      const s =
        metric === 'bleu'
          ? corpusBleu(hypotheses, references, settings.bleu)
          : corpusChrf(hypotheses, references, settings.chrf);
      print(s);
      if (!settings.json) console.log(`signature: ${s.signature}`);
    }
    return 0;
  }
  const signatures = new Map<string, string>();
  hypotheses.forEach((hypothesis, i) => {
    const refs = references.map((stream) => stream[i]);
    for (const metric of settings.metrics) {
      const s =
        metric === 'bleu'
          ? sentenceBleu(hypothesis, refs, settings.bleu)
          : sentenceChrf(hypothesis, refs, settings.chrf);
      signatures.set('counts' in s ? 'BLEU' : s.name, s.signature);
      print(s, { line: i + 1 });
    }
  });
  if (!settings.json) for (const [name, signature] of signatures) console.log(`${name} signature: ${signature}`);
  return 0;
}
