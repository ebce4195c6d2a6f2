// Seeded random numbers and random Unicode text for the tokenizer's property tests.

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?\'"()-<>/@#';
const COMBINING = ['\u0301', '\u0300', '\u0308', '\u0303', '\u030A', '\u0327', '\u0323'];

/** A random string mixing ASCII, Latin with combining marks, CJK, astral characters, spaces, tabs, newlines and U+2581. */
export function randomText(random: () => number, maxParts = 12): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const range = (lo: number, hi: number) => String.fromCodePoint(lo + Math.floor(random() * (hi - lo)));
  const parts: string[] = [];
  const n = Math.floor(random() * (maxParts + 1));
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(random() * 11);
    if (kind <= 2) parts.push(Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick([...ASCII])).join(''));
    else if (kind === 3)
      parts.push(pick(['a', 'e', 'o', 'n', 'A', 'c']) + pick(COMBINING) + (random() < 0.3 ? pick(COMBINING) : ''));
    else if (kind === 4) parts.push(range(0x4e00, 0x4e40) + (random() < 0.5 ? range(0x3040, 0x30a0) : ''));
    else if (kind === 5)
      parts.push(
        pick([range(0x1f300, 0x1f6ff), range(0x20000, 0x20100), '\u{1F44D}\u{1F3FD}', '\u{1F468}\u200D\u{1F469}']),
      );
    else if (kind === 6) parts.push(' '.repeat(1 + Math.floor(random() * 4)));
    else if (kind === 7) parts.push(pick(['\t', '\t\t', ' \t ']));
    else if (kind === 8) parts.push(pick(['\n', '\n\n', ' \n', '\r\n']));
    else if (kind === 9) parts.push(pick(['\u2581', '\u2581\u2581', ' \u2581', '\u2581 ']));
    else parts.push(pick(['\uFFFD', '\u00A0', '\u200B', '\uFEFF', '\u0000', 'ﬁ', '\u212B']));
  }
  return parts.join('');
}
