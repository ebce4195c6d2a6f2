// Finding the first byte that breaks UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF), so that a corpus error can name the exact byte column.

/**
 * Index of the first invalid byte of `bytes[start, end)`, or -1 when the range is valid UTF-8.
 * A sequence cut short or with a bad continuation is reported at its lead byte, as Python does.
 */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  while (i < end) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) need = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      need = 2;
      if (lead === 0xe0) lo = 0xa0; // overlong
      if (lead === 0xed) hi = 0x9f; // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      need = 3;
      if (lead === 0xf0) lo = 0x90; // overlong
      if (lead === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    if (i + need >= end) return i;
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k];
      if (b < (k === 1 ? lo : 0x80) || b > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}
