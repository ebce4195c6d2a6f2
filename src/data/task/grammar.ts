// The built-in translation task's grammar (docs/builtin-task.md): one random sentence pair.
//
// Source, English-like, SVO, adjectives after the noun:
//   Sentence := Clause [Conj Clause] "."
//   Clause   := NP Vt NP [PP] | NP Vi [PP] | NP Vs "that" Clause
//   NP       := Det Noun Adj{0,2} | Number Noun-s Adj{0,2} | Name        PP := Prep NP
// Target, SOV, adjectives before the noun in mirrored order, postpositions, verb-final clauses:
//   Clause   := NP NP [NP Post] V  |  NP V  |  NP Clause "ke" Vs
//   NP       := Art Adj{0,2} Noun  |  Number Adj{0,2} Noun  |  Name
// Agreement: the article and every adjective agree with their noun's gender (m/f/n, fixed per
// noun, invisible in the source) and number; the verb ending agrees with the gender and number of
// its subject, which may be many words back. Names (invented, rarely repeated; feminine when they
// end in "a") and numbers are copied verbatim.

import type { Generator } from '../../tensor/random.js';
import {
  ADJECTIVE_ENDINGS,
  ARTICLES,
  COMPLEMENTIZER,
  NOUN_PLURAL,
  VERB_ENDINGS,
  lexicon,
  thirdPerson,
  type Gender,
} from './lexicon.js';
import type { Word } from './lexicon.js';

interface Phrase {
  source: string[];
  target: string[];
}

interface NounPhrase extends Phrase {
  gender: Gender;
  plural: boolean;
}

function pick<T>(rng: Generator, items: readonly T[]): T {
  return items[rng.nextUint32() % items.length];
}

const NAME_ONSETS = 'b d f g h j k l m n p r s t v w z br dr kr st tr'.split(' ');
const NAME_VOWELS = 'a e i o u'.split(' ');

/** A name from over a hundred million, so that nearly every one is new: it can only be copied. */
export function randomName(rng: Generator): string {
  const syllables = 2 + (rng.nextUint32() % 3);
  let name = '';
  for (let k = 0; k < syllables; k++) name += pick(rng, NAME_ONSETS) + pick(rng, NAME_VOWELS);
  if (rng.uniform() < 0.4) name += pick(rng, ['n', 'r', 's', 'l']);
  return name[0].toUpperCase() + name.slice(1);
}

function nounPhrase(rng: Generator): NounPhrase {
  const lex = lexicon();
  if (rng.uniform() < 0.15) {
    const name = randomName(rng);
    return { source: [name], target: [name], gender: name.endsWith('a') ? 'f' : 'm', plural: false };
  }
  const noun = pick(rng, lex.nouns);
  const plural = rng.uniform() < 0.35;
  const p = plural ? 1 : 0;
  const adjectiveCount = rng.uniform() < 0.5 ? 0 : rng.uniform() < 0.65 ? 1 : 2;
  const adjectives: Word[] = [];
  while (adjectives.length < adjectiveCount) {
    const a = pick(rng, lex.adjectives);
    if (!adjectives.includes(a)) adjectives.push(a);
  }
  const sourceNoun = plural ? `${noun.source}s` : noun.source;
  const targetNoun = plural ? noun.stem + NOUN_PLURAL : noun.stem;
  const targetAdjectives = adjectives.map((a) => a.target + ADJECTIVE_ENDINGS[noun.gender][p]).reverse();
  let sourceDet: string;
  let targetDet: string;
  if (plural && rng.uniform() < 0.25) {
    const digits = 1 + (rng.nextUint32() % 4);
    sourceDet = targetDet = String(Math.max(2, rng.nextUint32() % 10 ** digits));
  } else if (rng.uniform() < 0.6) {
    sourceDet = 'the';
    targetDet = ARTICLES.definite[noun.gender][p];
  } else {
    sourceDet = plural ? 'some' : /^[aeiou]/.test(noun.source) ? 'an' : 'a';
    targetDet = ARTICLES.indefinite[noun.gender][p];
  }
  return {
    source: [sourceDet, sourceNoun, ...adjectives.map((a) => a.source)],
    target: [targetDet, ...targetAdjectives, targetNoun],
    gender: noun.gender,
    plural,
  };
}

function verb(word: Word, subject: NounPhrase): Phrase {
  return {
    source: [subject.plural ? word.source : thirdPerson(word.source)],
    target: [word.target + VERB_ENDINGS[subject.gender][subject.plural ? 1 : 0]],
  };
}

function clause(rng: Generator, depth: number): Phrase {
  const lex = lexicon();
  const subject = nounPhrase(rng);
  const kind = rng.uniform();
  if (kind < 0.15 && depth < 2) {
    const v = verb(pick(rng, lex.saying), subject);
    const inner = clause(rng, depth + 1);
    return {
      source: [...subject.source, ...v.source, 'that', ...inner.source],
      target: [...subject.target, ...inner.target, COMPLEMENTIZER, ...v.target],
    };
  }
  const transitive = kind < 0.7;
  const v = verb(pick(rng, transitive ? lex.transitive : lex.intransitive), subject);
  const object = transitive ? nounPhrase(rng) : { source: [], target: [] };
  const pp: Phrase = { source: [], target: [] };
  if (rng.uniform() < 0.3) {
    const prep = pick(rng, lex.prepositions);
    const np = nounPhrase(rng);
    pp.source = [prep.source, ...np.source];
    pp.target = [...np.target, prep.target];
  }
  return {
    source: [...subject.source, ...v.source, ...object.source, ...pp.source],
    target: [...subject.target, ...object.target, ...pp.target, ...v.target],
  };
}

function sentence(words: string[]): string {
  const text = `${words.join(' ')}.`;
  return text[0].toUpperCase() + text.slice(1);
}

/** One pair whose source has from minWords to maxWords words (drawn again until it fits). */
export function samplePair(rng: Generator, minWords = 4, maxWords = 25): { source: string; target: string } {
  for (;;) {
    const main = clause(rng, 0);
    if (rng.uniform() < 0.35) {
      const conj = pick(rng, lexicon().conjunctions);
      const second = clause(rng, 1);
      main.source.push(conj.source, ...second.source);
      main.target.push(conj.target, ...second.target);
    }
    if (main.source.length >= minWords && main.source.length <= maxWords) {
      return { source: sentence(main.source), target: sentence(main.target) };
    }
  }
}
