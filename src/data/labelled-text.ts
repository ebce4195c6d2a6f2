// The plain files encoder-only tasks read (docs/encoder-only.md): a TSV of `text<TAB>label` for
// sequence classification, CoNLL-style columns for token classification (one token per line, its label
// in the last column, a blank line between sentences), and the label vocabulary both collect, in
// Hugging Face's id2label/label2id form. Errors name the file and line.

import { CorpusError } from './lines.js';

/** First lines read as a header rather than an example (lower-cased): ours, LRA's, GLUE's. */
const HEADERS = new Set(['text\tlabel', 'source\ttarget', 'sentence\tlabel']);

export function isHeader(line: string): boolean {
  return HEADERS.has(line.trim().toLowerCase());
}

export interface LabelledText {
  text: string;
  label: string;
  /** 1-based line in its file, for errors found later (an unknown label). */
  line: number;
}

/** `text<TAB>label` lines; the label follows the last tab, so a text may hold tabs. Blank lines are skipped. */
export function parseClassificationLines(lines: readonly string[], name: string): LabelledText[] {
  const out: LabelledText[] = [];
  lines.forEach((raw, i) => {
    if (i === 0 && isHeader(raw)) return;
    if (raw.trim() === '') return;
    const tab = raw.lastIndexOf('\t');
    const text = tab < 0 ? '' : raw.slice(0, tab).trim();
    const label = tab < 0 ? '' : raw.slice(tab + 1).trim();
    if (tab < 0 || text === '' || label === '')
      throw new CorpusError(
        `${name}:${i + 1}: expected text<TAB>label, got ${JSON.stringify(raw.slice(0, 60))}${raw.length > 60 ? '...' : ''}`,
      );
    out.push({ text, label, line: i + 1 });
  });
  return out;
}

/** The texts to classify: a TSV with a header (the label column, if any, is ignored) or plain lines. */
export function textsToClassify(lines: readonly string[]): string[] {
  if (lines.length > 0 && isHeader(lines[0]))
    return lines
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => l.slice(0, l.lastIndexOf('\t')).trim());
  return lines.filter((l) => l.trim() !== '');
}

export interface TaggedSentence {
  words: string[];
  labels: string[];
  /** 1-based line of its first token. */
  line: number;
}

/**
 * CoNLL-style columns: a token per line, first column the word, last column its label, columns split by
 * tabs or spaces; a blank line ends a sentence; `-DOCSTART-` lines (CoNLL-2003) are skipped.
 */
export function parseConll(lines: readonly string[], name: string): TaggedSentence[] {
  const out: TaggedSentence[] = [];
  let current: TaggedSentence | null = null;
  lines.forEach((raw, i) => {
    const fields = raw
      .trim()
      .split(/\s+/)
      .filter((f) => f !== '');
    if (fields.length === 0) {
      if (current !== null) out.push(current);
      current = null;
      return;
    }
    if (fields[0] === '-DOCSTART-') return;
    if (fields.length < 2)
      throw new CorpusError(
        `${name}:${i + 1}: expected a token and its label in columns (the label last), got ${JSON.stringify(raw.slice(0, 60))}`,
      );
    current ??= { words: [], labels: [], line: i + 1 };
    current.words.push(fields[0]);
    current.labels.push(fields[fields.length - 1]);
  });
  if (current !== null) out.push(current);
  return out;
}

export interface LabelVocabulary {
  id2label: Record<string, string>;
  label2id: Record<string, number>;
}

/**
 * The labels seen, in a stable order: numbers in numeric order when every label is a whole number
 * (ListOps' 0-9 keep their meaning as ids), else sorted as strings.
 */
export function labelVocabulary(labels: Iterable<string>): LabelVocabulary {
  const distinct = [...new Set(labels)];
  const numeric = distinct.every((l) => /^-?\d+$/.test(l));
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const id2label: Record<string, string> = {};
  const label2id: Record<string, number> = {};
  distinct.forEach((label, id) => {
    id2label[String(id)] = label;
    label2id[label] = id;
  });
  return { id2label, label2id };
}

/** The id of `label`, or an error naming the file and line of an unknown label. */
export function labelId(vocabulary: LabelVocabulary, label: string, name: string, line: number): number {
  const id = vocabulary.label2id[label];
  if (id === undefined) {
    const known = Object.keys(vocabulary.label2id);
    const shown = known.slice(0, 10).join(', ') + (known.length > 10 ? ', ...' : '');
    throw new CorpusError(`${name}:${line}: unknown label ${JSON.stringify(label)}; the training labels are ${shown}`);
  }
  return id;
}
