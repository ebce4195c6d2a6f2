// JSON from files we are given (config.json, tokenizer.json, vocab.json, safetensors headers): whatever a
// file holds, parsing it cannot overflow the stack later on, and its error stays one line (src/quote.ts).

import { oneLine } from '../quote.js';

/** Deeper than any file we read (config.json's per-layer attention specs are 3 levels deep). */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses `text`; invalid JSON, or JSON nested deeper than MAX_JSON_DEPTH (whose later use, such as
 * JSON.stringify in an error message, would recurse that deep), becomes `fail(problem)`.
 */
export function parseJson(text: string, fail: (problem: string) => Error): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`not valid JSON (${oneLine((error as Error).message)})`);
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) throw fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
}

/** True when arrays and objects nest more than `limit` levels deep; iterative, so any depth is safe. */
function depthExceeds(root: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}
