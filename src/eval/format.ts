// Numbers and score lines printed as sacreBLEU prints them.

/**
 * Python's f"{x:.{digits}f}": rounds the exact binary value, and an exact tie to even, where
 * JavaScript's toFixed rounds a tie up (12.25 gives "12.2" in Python, "12.3" in JavaScript).
 */
export function formatFixed(x: number, digits: number): string {
  const rounded = x.toFixed(digits);
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return rounded;
  const exact = x.toFixed(100); // every binary fraction has a finite decimal expansion
  const cut = exact.indexOf('.') + (digits === 0 ? 0 : digits + 1);
  if (!/^50*$/.test(exact.slice(cut + (digits === 0 ? 1 : 0)))) return rounded;
  const truncated = exact.slice(0, cut);
  const last = Number(truncated[truncated.length - 1]);
  return last % 2 === 0 ? truncated : rounded;
}

/** The parts of sacreBLEU's one-line BLEU report. */
export interface BleuLineParts {
  score: number;
  precisions: readonly number[];
  bp: number;
  ratio: number;
  sysLen: number;
  refLen: number;
}

/** "BLEU = 20.80 54.4/26.6/14.9/8.7 (BP = 1.000 ratio = 1.026 hyp_len = 62880 ref_len = 61287)". */
export function formatBleu(s: BleuLineParts, width = 2): string {
  const precisions = s.precisions.map((p) => formatFixed(p, 1)).join('/');
  const bp = `BP = ${formatFixed(s.bp, 3)} ratio = ${formatFixed(s.ratio, 3)}`;
  return `BLEU = ${formatFixed(s.score, width)} ${precisions} (${bp} hyp_len = ${s.sysLen} ref_len = ${s.refLen})`;
}

/** "chrF2 = 52.34". */
export function formatChrf(s: { name: string; score: number }, width = 2): string {
  return `${s.name} = ${formatFixed(s.score, width)}`;
}
