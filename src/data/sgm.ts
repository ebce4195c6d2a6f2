// WMT's SGML test sets to plain text, one segment per line, exactly as sacreBLEU converts them:
// every line starting with "<seg " loses its tags, and its whitespace is collapsed and trimmed.
// Entities are left as they are (sacreBLEU does not unescape them either).

// Python's str.split() whitespace, which sacreBLEU's \s means; JavaScript's \s differs (U+FEFF in,
// U+001C..U+001F and U+0085 out).
// eslint-disable-next-line no-control-regex -- U+001C..U+001F are whitespace to Python
const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

export function sgmToText(sgm: string): string {
  const out: string[] = [];
  for (const line of sgm.split('\n')) {
    if (!line.startsWith('<seg ')) continue;
    const text = line.replace(/<seg.*?>(.*)<\/seg>.*?/s, '$1');
    out.push(text.replace(PY_SPACE, ' ').replace(/^ | $/g, ''));
  }
  return out.map((l) => `${l}\n`).join('');
}
