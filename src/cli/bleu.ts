// `transformer bleu HYP REF [REF ...]` (or sacreBLEU's `bleu REF ... -i HYP`, `bleu REF < HYP`; see
// bleu-args.ts): corpus or sentence BLEU and chrF as sacreBLEU 2.6 reports them, as text or as
// sacreBLEU's JSON.

import { InputError } from '../errors.js';
import { checkUtf8, STDIN_NAME } from '../data/lines.js';
import { readFileNamed } from '../io/files.js';
import {
  corpusBleu,
  corpusChrf,
  formatBleu,
  formatChrf,
  formatFixed,
  sentenceBleu,
  sentenceChrf,
  type BleuScore,
  type ChrfScore,
} from '../eval/index.js';
import { parseBleuArgs, STDIN, type BleuSettings } from './bleu-args.js';

/**
 * A text's lines as sacreBLEU's command reads them: UTF-8, split on "\n" only (a "\r" stays, for
 * BLEU's tokenization to strip), a byte-order mark kept as part of the first line.
 */
export function readTextLines(bytes: Uint8Array, name: string): string[] {
  checkUtf8(bytes, name);
  const lines = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The hypotheses and the reference streams, checked: equal line counts, no line without a reference. */
async function readInputs(settings: BleuSettings): Promise<{ hypotheses: string[]; references: string[][] }> {
  const hypName = settings.hypotheses === STDIN ? STDIN_NAME : settings.hypotheses;
  const references = settings.references.map((path) => readTextLines(readFileNamed(path), path));
  const hypBytes = settings.hypotheses === STDIN ? await readStdin() : readFileNamed(settings.hypotheses);
  const hypotheses = readTextLines(hypBytes, hypName);
  references.forEach((stream, r) => {
    if (stream.length !== hypotheses.length)
      throw new InputError(
        `${settings.references[r]} has ${stream.length} lines but ${hypName} has ${hypotheses.length}; ` +
          'each reference file needs one line per hypothesis',
      );
  });
  const empty = hypotheses.findIndex((_, i) => references.every((stream) => stream[i] === ''));
  if (empty !== -1)
    throw new InputError(`line ${empty + 1}: every reference is empty (${settings.references.join(', ')})`);
  return { hypotheses, references };
}

/** sacreBLEU's JSON object of a score: name, score, signature, BLEU's verbose_score, the signature's fields. */
export function sacrebleuJson(s: BleuScore | ChrfScore, width: number): Record<string, unknown> {
  const json: Record<string, unknown> = {
    name: 'counts' in s ? 'BLEU' : s.name,
    score: Number(formatFixed(s.score, width)),
    signature: s.signature,
  };
  if ('counts' in s) json.verbose_score = formatBleu(s).replace(/^BLEU = \S+ /, '');
  for (const field of s.signature.split('|')) {
    const at = field.indexOf(':');
    json[field.slice(0, at)] = field.slice(at + 1);
  }
  return json;
}

/** Our statistics, after sacreBLEU's fields: enough to recompute or combine scores. */
function statistics(s: BleuScore | ChrfScore): Record<string, unknown> {
  if (!('counts' in s)) return { statistics: s.statistics };
  const { counts, totals, precisions, bp, ratio } = s;
  return { counts, totals, precisions, bp, ratio, hyp_len: s.sysLen, ref_len: s.refLen };
}

/** As sacreBLEU prints its JSON (Python's indent=1), with our lists of numbers kept on their field's line. */
function oneFieldPerLine(json: Record<string, unknown>): string {
  const fields = Object.entries(json).map(([key, value]) => ` ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  return `{\n${fields.join(',\n')}\n}`;
}

export async function bleu(argv: string[]): Promise<number> {
  const settings = parseBleuArgs(argv);
  const { hypotheses, references } = await readInputs(settings);
  const width = settings.width ?? (settings.json ? 1 : 2);
  const text = (s: BleuScore | ChrfScore) =>
    settings.scoreOnly ? formatFixed(s.score, width) : 'counts' in s ? formatBleu(s, width) : formatChrf(s, width);
  const score = (metric: string, hyps: string[], refs: string[][]) =>
    metric === 'bleu' ? corpusBleu(hyps, refs, settings.bleu) : corpusChrf(hyps, refs, settings.chrf);
  if (!settings.sentence) {
    const scores = settings.metrics.map((metric) => score(metric, hypotheses, references));
    if (settings.json) {
      const objects = scores.map((s) => oneFieldPerLine({ ...sacrebleuJson(s, width), ...statistics(s) }));
      console.log(objects.length === 1 ? objects[0] : `[\n${objects.join(',\n')}\n]`);
    } else
      for (const s of scores) {
        console.log(text(s));
        if (!settings.scoreOnly) console.log(`signature: ${s.signature}`);
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
      if (settings.json) console.log(JSON.stringify({ line: i + 1, ...sacrebleuJson(s, width), ...statistics(s) }));
      else console.log(text(s));
    }
  });
  if (!settings.json && !settings.scoreOnly)
    for (const [name, signature] of signatures) console.log(`${name} signature: ${signature}`);
  return 0;
}
