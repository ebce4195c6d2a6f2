// Axis ticks at "nice" numbers (1, 2 or 5 times a power of ten) and their labels.

/** Axis ticks: their values and labels. */
export interface Ticks {
  /** The axis bounds: the data range widened to whole steps (linear) or whole decades (log). */
  min: number;
  max: number;
  values: number[];
  /** The gap between ticks (linear axes), which sets the label precision. */
  step: number;
  /** A log axis: each label gets the precision of its own value. */
  log?: boolean;
}

/** Drops the float noise of k * step (0.30000000000000004). */
const clean = (x: number) => Number(x.toPrecision(12));

/** The nice step that cuts `span` into about `count` pieces. */
export function niceStep(span: number, count: number): number {
  const rough = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const mantissa = rough / power;
  return clean((mantissa < 1.5 ? 1 : mantissa < 3.5 ? 2 : mantissa < 7.5 ? 5 : 10) * power);
}

/** About `count` ticks from at or below min to at or above max; a single value gets a unit-wide range. */
export function niceTicks(min: number, max: number, count = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max)
    throw new RangeError(`ticks need finite min <= max, got ${min} and ${max}`);
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) / 2;
    [min, max] = [min - pad, max + pad];
  }
  const step = niceStep(max - min, count);
  const first = Math.floor(clean(min / step));
  const last = Math.ceil(clean(max / step));
  const values = Array.from({ length: last - first + 1 }, (_, k) => clean((first + k) * step));
  return { min: values[0], max: values.at(-1)!, values, step };
}

/** Powers of ten from at or below min to at or above max (both > 0), with 2 and 5 between when few decades. */
export function logTicks(min: number, max: number): Ticks {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max))
    throw new RangeError(`log ticks need 0 < min <= max, got ${min} and ${max}`);
  const low = Math.floor(Math.log10(min));
  const high = Math.max(low + 1, Math.ceil(Math.log10(max)));
  const multiples = high - low <= 2 ? [1, 2, 5] : [1];
  const values: number[] = [];
  for (let e = low; e <= high; e++) for (const m of multiples) if (e < high || m === 1) values.push(clean(m * 10 ** e));
  return { min: values[0], max: values.at(-1)!, values, step: values[0], log: true };
}

/**
 * Labels with the digits the step needs ("0.25", "4000"); an axis whose largest tick is below 0.01 or from a
 * million up (or a log axis reaching below 0.001) is written in exponents throughout ("2e-4", "1.5e6"), so
 * that its labels stay short and alike.
 */
export function tickLabels(ticks: Ticks): string[] {
  const magnitude = (x: number) => Math.floor(Math.log10(Math.abs(x)) + 1e-9);
  const largest = Math.max(...ticks.values.map(Math.abs));
  const stepMagnitude = magnitude(ticks.step);
  const exponents =
    largest > 0 &&
    (magnitude(largest) >= 6 || magnitude(largest) < -2 || (ticks.log === true && magnitude(ticks.values[0]) < -3));
  return ticks.values.map((value) => {
    if (value === 0) return '0';
    const precision = ticks.log ? magnitude(value) : stepMagnitude;
    if (!exponents) return value.toFixed(Math.max(0, -precision));
    const digits = Math.max(0, Math.min(6, magnitude(value) - precision));
    return value.toExponential(digits).replace('e+', 'e');
  });
}
