// Text helpers the tokenizer needs: Python's code-point string order, and UTF-8 bytes.

/**
 * Compares two strings by code points, as Python does. JavaScript's `<` compares UTF-16 code units,
 * which puts an astral character (a surrogate pair, 0xD800..0xDFFF) before U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Lift surrogates above the rest of the BMP so that code-unit order becomes code-point order.
      x = x < 0xe000 ? x + 0x2000 : x - 0x800;
      y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

const encoder = new TextEncoder();

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}
