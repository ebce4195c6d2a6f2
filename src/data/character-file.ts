// A character vocabulary on disk: vocabulary.json beside a character language model's weights.

import { readFileSync } from 'node:fs';

import { writeFileAtomic } from '../io/atomic.js';
import { CharacterVocabulary } from './characters.js';

/** Reads vocabulary.json; a file that is not one is an InputError naming it. */
export function loadCharacterVocabulary(path: string): CharacterVocabulary {
  return CharacterVocabulary.fromJson(readFileSync(path, 'utf8'), path);
}

/** Writes vocabulary.json atomically. */
export function saveCharacterVocabulary(path: string, vocabulary: CharacterVocabulary): void {
  writeFileAtomic(path, [Buffer.from(vocabulary.toJson())]);
}
