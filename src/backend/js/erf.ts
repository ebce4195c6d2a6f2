// The error function for exact GELU (JavaScript has no Math.erf), accurate to about 1e-15 relative.
//
// Two classical expansions, each used where it converges fast and without cancellation:
// - |x| < 2: erf x = (2x / sqrt pi) e^(-x^2) sum_n (2x^2)^n / (1 * 3 * ... * (2n + 1)),
//   a series of positive terms (unlike the alternating Taylor series, which loses digits as |x| grows).
// - |x| >= 2 (and for erfc already from |x| >= 1): erfc x = (e^(-x^2) / sqrt pi) 2x / (2x^2 + 1 - 1*2 / (2x^2 + 5 - 3*4 / (2x^2 + 9 - ...))),
//   the even part of Laplace's continued fraction, evaluated by the modified Lentz method.

const SQRT_PI = 1.7724538509055159;
const SERIES_LIMIT = 2;
// Below this 1 - erf(x) loses under one digit; above it the continued fraction needs < 100 terms.
const ERFC_FRACTION_START = 1;
const TINY = 1e-300;

/** e^(-x^2), without the error that rounding x*x would amplify when x^2 is large. */
function expMinusSquare(x: number): number {
  // hi keeps 12 fractional bits, so hi*hi is exact; x^2 = hi^2 + (x - hi)(x + hi).
  const hi = Math.trunc(x * 4096) / 4096;
  return Math.exp(-hi * hi) * Math.exp(-(x - hi) * (x + hi));
}

/** erf for 0 <= x < SERIES_LIMIT. */
function erfSeries(x: number): number {
  const twoXSquared = 2 * x * x;
  let term = 1;
  let sum = 1;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= twoXSquared / (2 * n + 1);
    sum += term;
  }
  return ((2 * x) / SQRT_PI) * expMinusSquare(x) * sum;
}

/** erfc for x >= ERFC_FRACTION_START. */
function erfcContinuedFraction(x: number): number {
  if (x > 27) return 0; // erfc(27) is already below the smallest double
  const b0 = 2 * x * x + 1;
  let f = b0;
  let c = b0;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = -(2 * n - 1) * (2 * n);
    const b = b0 + 4 * n;
    d = b + a * d;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    c = b + a / c;
    if (Math.abs(c) < TINY) c = TINY;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (expMinusSquare(x) / SQRT_PI) * ((2 * x) / f);
}

/** The error function erf(x) = (2 / sqrt pi) integral_0^x e^(-t^2) dt. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  const r = ax < SERIES_LIMIT ? erfSeries(ax) : 1 - erfcContinuedFraction(ax);
  return x < 0 ? -r : r;
}

/** The complementary error function 1 - erf(x), accurate in the tail where 1 - erf(x) would cancel. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  const tail = ax < ERFC_FRACTION_START ? 1 - erfSeries(ax) : erfcContinuedFraction(ax);
  return x < 0 ? 2 - tail : tail;
}
