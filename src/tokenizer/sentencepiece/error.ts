// A SentencePiece model file that cannot be used; the reader adds the file's name.

import { InputError } from '../../errors.js';

export class SentencePieceError extends InputError {
  override name = 'SentencePieceError';
}
