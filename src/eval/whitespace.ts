// Python's notion of whitespace (str.split, str.rstrip), which sacreBLEU's tokenizers and n-gram
// extractors rely on. JavaScript's \s differs: it counts U+FEFF (a byte-order mark) and misses
// U+001C..U+001F and U+0085, which moves scores on real system outputs.

const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const RUNS = new RegExp(`[${PY_SPACE}]+`, 'u');
const TRAILING = new RegExp(`[${PY_SPACE}]+$`, 'u');

/** Python's `line.split()`: the words between runs of whitespace, none empty. */
export function pySplit(line: string): string[] {
  return line.split(RUNS).filter((w) => w !== '');
}

/** Python's `line.rstrip()`. */
export function pyRstrip(line: string): string {
  return line.replace(TRAILING, '');
}
