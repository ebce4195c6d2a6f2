// The lexicon of the built-in translation task (grammar in grammar.ts, docs/builtin-task.md): source
// words are plain English, target stems are invented once from a fixed seed, so the two languages
// are the same whatever seed the sentences are drawn with.

import { Generator } from '../../tensor/random.js';

export type Gender = 'm' | 'f' | 'n';

export interface Noun {
  /** Source singular; the plural adds "s". */
  source: string;
  stem: string;
  gender: Gender;
}

export interface Word {
  source: string;
  target: string;
}

/** Nouns whose English plural adds "s". */
const NOUNS = `dog cat bird horse cow goat pig duck frog bear tiger camel lion snake seal rabbit rat owl
  farmer teacher doctor singer painter baker driver sailor soldier student pupil girl boy king queen
  friend neighbour brother sister mother father cook guard pilot writer
  house garden river forest field road bridge tower castle village market school temple station
  table chair door window book letter song picture apple flower tree stone boat car train ship
  hat coat shoe key cup plate bottle basket crate bag lamp clock bell drum ring coin map rope wall
  hill lake island cloud star storm cave barn fence gate kitchen room bed blanket candle
  mirror painting carpet pillow bucket ladder hammer`.split(/\s+/);

const ADJECTIVES = `big small old young tall short red blue green black white yellow happy sad
  angry quiet loud fast slow strong weak rich poor clever brave kind proud tired hungry new dark
  bright warm cold wet dry heavy light clean dirty strange famous`.split(/\s+/);

/** Verbs in their plain (plural) form; thirdPerson() makes the singular. */
const TRANSITIVE = `see like follow find help call meet paint visit watch want need carry push pull
  open close buy sell clean build draw hear know love hate catch chase feed greet`.split(/\s+/);

const INTRANSITIVE = `sleep run sing wait laugh dance swim jump cry work fall rest walk smile
  listen`.split(/\s+/);

/** Verbs taking a clause: "the boy says that ...". */
const SAYING = 'say think hope believe claim'.split(/\s+/);

const PREPOSITIONS = 'in on near under behind beside with without'.split(/\s+/);

const CONJUNCTIONS = 'because when while although before after'.split(/\s+/);

/** Target articles by definiteness, then gender and number. */
export const ARTICLES = {
  definite: { m: ['lo', 'los'], f: ['la', 'las'], n: ['le', 'les'] },
  indefinite: { m: ['un', 'unos'], f: ['una', 'unas'], n: ['une', 'unes'] },
} as const;

/** Target adjective endings by gender, [singular, plural]. */
export const ADJECTIVE_ENDINGS = { m: ['o', 'os'], f: ['a', 'as'], n: ['e', 'es'] } as const;

/** Target verb endings by the subject's gender, [singular, plural]. */
export const VERB_ENDINGS = { m: ['at', 'ant'], f: ['et', 'ent'], n: ['it', 'int'] } as const;

/** Target plural of nouns: stem + this. */
export const NOUN_PLURAL = 'i';

/** Target complementizer, closing a clause that is the object of a saying verb. */
export const COMPLEMENTIZER = 'ke';

export interface Lexicon {
  nouns: Noun[];
  adjectives: Word[];
  transitive: Word[];
  intransitive: Word[];
  saying: Word[];
  prepositions: Word[];
  conjunctions: Word[];
}

/** English third person singular of a plain verb form. */
export function thirdPerson(verb: string): string {
  if (/(s|sh|ch|x)$/.test(verb)) return `${verb}es`;
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ies`;
  return `${verb}s`;
}

/**
 * Invented stems, all distinct: consonant-vowel syllables closed by a consonant for open word
 * classes; vowel-consonant-vowel for closed-class words, so that no inflected form of an open
 * class (they all start with a consonant) can spell one.
 */
function stems(count: number, rng: Generator, taken: Set<string>, closedClass = false): string[] {
  const consonants = 'bdfgklmnprstvz';
  const vowels = 'aeiou';
  const pick = (s: string) => s[rng.nextUint32() % s.length];
  const out: string[] = [];
  while (out.length < count) {
    let stem = '';
    if (closedClass) stem = pick(vowels) + pick(consonants) + pick(vowels);
    else {
      const syllables = 1 + (rng.nextUint32() % 2);
      for (let k = 0; k < syllables; k++) stem += pick(consonants) + pick(vowels);
      stem += pick(consonants);
    }
    if (!taken.has(stem)) {
      taken.add(stem);
      out.push(stem);
    }
  }
  return out;
}

function words(sources: string[], rng: Generator, taken: Set<string>, closedClass = false): Word[] {
  const targets = stems(sources.length, rng, taken, closedClass);
  return sources.map((source, i) => ({ source, target: targets[i] }));
}

let cached: Lexicon | null = null;

export function lexicon(): Lexicon {
  if (cached !== null) return cached;
  const rng = new Generator(0x1e8);
  const taken = new Set<string>(['lo', 'la', 'le', 'un', 'una', 'une', 'ke']);
  const genders: Gender[] = ['m', 'f', 'n'];
  const nounStems = stems(NOUNS.length, rng, taken);
  cached = {
    nouns: NOUNS.map((source, i) => ({ source, stem: nounStems[i], gender: genders[rng.nextUint32() % 3] })),
    adjectives: words(ADJECTIVES, rng, taken),
    transitive: words(TRANSITIVE, rng, taken),
    intransitive: words(INTRANSITIVE, rng, taken),
    saying: words(SAYING, rng, taken),
    prepositions: words(PREPOSITIONS, rng, taken, true),
    conjunctions: words(CONJUNCTIONS, rng, taken, true),
  };
  return cached;
}
