// JSON from files we are given (config.json, tokenizer.json, vocab.json, safetensors headers) and values
// quoted back in error messages: whatever a file holds, parsing it cannot overflow the stack later on,
// and a message stays one line of bounded length.

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

/** A value as JSON for a message: escaped (no line breaks), cut at `max` characters. */
export function quote(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[...]' : typeof value === 'object' ? '{...}' : String(value);
  }
  return oneLine(text, max);
}

/** Text for a one-line message: control characters and line separators escaped, cut at `max` characters. */
export function oneLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code === 10 ? '\\n' : code === 13 ? '\\r' : code === 9 ? '\\t' : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return escaped.length <= max ? escaped : `${escaped.slice(0, max)}...`;
}
