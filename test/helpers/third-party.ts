// The third-party conformance vectors committed under test/fixtures/third-party/ (sacreBLEU,
// SentencePiece, subword-nmt; licenses and provenance beside them). Large text files are stored as
// name.gz and come back decompressed, so callers name the file as upstream does.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

// From dist/test/helpers/ back to the sources' test/fixtures/third-party/.
const ROOT = fileURLToPath(new URL('../../../test/fixtures/third-party/', import.meta.url));

/** The bytes of `file` (e.g. "sentencepiece/botchan.txt"), gunzipped from `file.gz` when stored so. */
export function thirdPartyBytes(file: string): Buffer {
  const plain = `${ROOT}${file}`;
  return existsSync(plain) ? readFileSync(plain) : gunzipSync(readFileSync(`${plain}.gz`));
}

/** The file as UTF-8 text, a leading byte-order mark kept, as Python's sacreBLEU and spm read it. */
export function thirdPartyText(file: string): string {
  return thirdPartyBytes(file).toString('utf8');
}

/** UTF-8 lines split on "\n" only (a "\r" stays part of its line); no empty last line for the final "\n". */
export function thirdPartyLines(file: string): string[] {
  const lines = thirdPartyText(file).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
