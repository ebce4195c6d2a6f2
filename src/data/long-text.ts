// A long generated text for character language models, with structure that only a long context can
// predict: sentences of a small stochastic grammar over invented words, in numbered sections whose closing
// line repeats the section's title (thousands of characters back), paragraphs whose named person recurs with
// a pronoun of their own and signs the paragraph's last line, every verb of a section in the same tense, and
// brackets and quotations that open on one line and close, properly nested, lines later.

import { AtomicFile } from '../io/atomic.js';
import { Generator } from '../tensor/random.js';

/** The size and seed of a generated long text. */
export interface LongTextOptions {
  /** Characters of text (the last section is cut off there). */
  chars: number;
  seed: number;
}

/** Text lines are wrapped to at most this many characters. */
export const LINE_WIDTH = 72;

const PRONOUNS = ['ve', 'sha', 'tho', 'mi'];
const DETERMINERS = ['the', 'the', 'the', 'a', 'every', 'no', 'some', 'that'];
const PREPOSITIONS = ['of', 'under', 'beyond', 'with', 'near', 'against', 'for'];
const OPENERS = ['(', '[', '{'];
const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}', '"': '"' };

interface Lexicon {
  nouns: string[];
  verbs: string[];
  adjectives: string[];
  adverbs: string[];
  names: string[];
  places: string[];
}

/** Zipf-like picks (weight 1 / (rank + 1)): a few words are common, most are rare, as in real text. */
class Picker {
  constructor(private readonly rng: Generator) {}

  index(n: number): number {
    // The inverse of the continuous Zipf CDF, ln(1 + k) / ln(1 + n).
    return Math.min(n - 1, Math.floor(Math.exp(this.rng.uniform() * Math.log(1 + n)) - 1));
  }

  word(list: readonly string[]): string {
    return list[this.index(list.length)];
  }

  uniform(list: readonly string[]): string {
    return list[Math.floor(this.rng.uniform() * list.length)];
  }

  chance(p: number): boolean {
    return this.rng.uniform() < p;
  }

  fraction(): number {
    return this.rng.uniform();
  }

  between(low: number, high: number): number {
    return low + Math.floor(this.rng.uniform() * (high - low + 1));
  }
}

function makeLexicon(pick: Picker): Lexicon {
  const onsets = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'th', 'dr', 'kr', 'sh', 'vr'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ae', 'ou'];
  const codas = ['', '', 'n', 'r', 'l', 'th', 'sk', 'm'];
  const seen = new Set<string>([...PRONOUNS, ...DETERMINERS, ...PREPOSITIONS]);
  const words = (count: number, syllables: [number, number], suffix = '') => {
    const out: string[] = [];
    while (out.length < count) {
      let w = '';
      for (let s = pick.between(...syllables); s > 0; s--) w += pick.uniform(onsets) + pick.uniform(vowels);
      w += pick.uniform(codas) + suffix;
      if (!seen.has(w)) {
        seen.add(w);
        out.push(w);
      }
    }
    return out;
  };
  const capital = (w: string) => w[0].toUpperCase() + w.slice(1);
  return {
    nouns: words(400, [1, 2]),
    verbs: words(200, [1, 2]),
    adjectives: words(150, [1, 3], 'ish'),
    adverbs: words(60, [1, 2], 'ly'),
    names: words(300, [2, 3]).map(capital),
    places: words(100, [2, 3], 'ia').map(capital),
  };
}

/** What a paragraph's sentences refer back to. */
interface Context {
  pick: Picker;
  lex: Lexicon;
  tense: 'ed' | 's';
  person: string;
  pronoun: string;
  theme: string;
}

function nounPhrase(c: Context, depth: number): string {
  const { pick, lex } = c;
  const head = `${pick.uniform(DETERMINERS)} ${pick.chance(0.4) ? `${pick.word(lex.adjectives)} ` : ''}${pick.word(lex.nouns)}`;
  if (depth < 2 && pick.chance(0.25)) return `${head} ${pick.uniform(PREPOSITIONS)} ${nounPhrase(c, depth + 1)}`;
  if (pick.chance(0.08)) return `the ${c.theme}`;
  return head;
}

function subject(c: Context): string {
  const r = c.pick.fraction();
  return r < 0.3 ? c.person : r < 0.55 ? c.pronoun : nounPhrase(c, 0);
}

/** One clause; a bracket, opened and closed in order, may hold a phrase that holds another. */
function clause(c: Context, depth: number): string {
  const { pick, lex } = c;
  let text = `${subject(c)} ${pick.word(lex.verbs)}${c.tense} ${nounPhrase(c, 0)}`;
  if (pick.chance(0.2)) text += ` ${pick.word(lex.adverbs)}`;
  if (depth < 2 && pick.chance(0.22)) text += ` ${bracketed(c, depth + 1)}`;
  if (depth < 1 && pick.chance(0.2)) text += `, and ${clause(c, depth + 1)}`;
  return text;
}

function bracketed(c: Context, depth: number): string {
  const open = c.pick.uniform(OPENERS);
  const inner = c.pick.chance(0.5) ? clause(c, depth) : `${c.pick.uniform(PREPOSITIONS)} ${nounPhrase(c, 1)}`;
  return `${open}${inner}${CLOSER[open]}`;
}

function sentence(c: Context): string {
  const s = clause(c, 0);
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

/** A paragraph about one person: introduced first, named and pronoun-referred throughout, signing at the end. */
function paragraph(pick: Picker, lex: Lexicon, tense: 'ed' | 's', theme: string): string {
  const person = pick.word(lex.names);
  const home = pick.word(lex.places);
  const c: Context = { pick, lex, tense, person, pronoun: pick.uniform(PRONOUNS), theme };
  const sentences = [
    `${person} of ${home} ${pick.word(lex.verbs)}${tense} the ${theme}, and ${c.pronoun} was ${pick.word(lex.adjectives)}.`,
  ];
  const count = pick.between(3, 7);
  for (let i = 0; i < count; i++) {
    if (pick.chance(0.15) && i + 2 < count) {
      // A quotation of two or three sentences: opened here, closed sentences (and lines) later.
      const quoted = [sentence(c), sentence(c), ...(pick.chance(0.5) ? [sentence(c)] : [])];
      sentences.push(`${person} said: "${quoted.join(' ')}"`);
      i += quoted.length - 1;
    } else sentences.push(sentence(c));
  }
  sentences.push(`So ${tense === 'ed' ? 'wrote' : 'writes'} ${person} of ${home}.`);
  return wrap(sentences.join(' '));
}

/** Greedy wrapping at LINE_WIDTH; a word longer than a line gets a line of its own. */
export function wrap(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > LINE_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

/** Section `number`: a title, paragraphs in one tense about the title's theme, and a closing line that repeats the title. */
function section(pick: Picker, lex: Lexicon, number: number): string {
  const theme = pick.word(lex.nouns);
  const place = pick.word(lex.places);
  const title = `On the ${theme} of ${place}`;
  const tense = pick.chance(0.5) ? 'ed' : 's';
  const paragraphs = Array.from({ length: pick.between(2, 5) }, () => paragraph(pick, lex, tense, theme));
  return [`Section ${number}. ${title}`, ...paragraphs, `Here ends section ${number}, o${title.slice(1)}.`].join(
    '\n\n',
  );
}

/** The text, section by section, endlessly: the same seed gives the same sections. */
export function* longTextSections(seed: number): IterableIterator<string> {
  const rng = new Generator(seed);
  const pick = new Picker(rng);
  const lex = makeLexicon(pick);
  for (let number = 1; ; number++) yield `${section(pick, lex, number)}\n\n\n`;
}

/** The first `chars` characters of the seed's text. */
export function makeLongText(options: LongTextOptions): string {
  const parts: string[] = [];
  let length = 0;
  for (const s of longTextSections(options.seed)) {
    if (length >= options.chars) break;
    parts.push(s);
    length += s.length;
  }
  return parts.join('').slice(0, options.chars);
}

/** Writes makeLongText(options) to `path` as UTF-8 (ASCII, in fact), a section at a time, atomically. */
export async function writeLongText(path: string, options: LongTextOptions): Promise<{ sections: number }> {
  const file = AtomicFile.open(path);
  let [written, sections] = [0, 0];
  try {
    for (const s of longTextSections(options.seed)) {
      if (written >= options.chars) break;
      const piece = s.slice(0, options.chars - written);
      written += piece.length;
      sections++;
      file.write(piece);
    }
    file.commit();
  } finally {
    file.abort();
  }
  return { sections };
}
