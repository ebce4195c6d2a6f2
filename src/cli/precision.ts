// The --precision flag of bench, translate, score and serve: float32, or bf16 matrix products with float32 sums.

import { PRECISIONS, type Precision } from '../tensor/precision.js';
import { UsageError } from './flags.js';
import { quote } from '../quote.js';

export function parsePrecision(flag: string, value: string | undefined): Precision {
  const precision = value ?? 'float32';
  if (!(PRECISIONS as readonly string[]).includes(precision))
    throw new UsageError(`${flag} must be one of ${PRECISIONS.join(', ')}, got ${quote(precision)}`);
  return precision as Precision;
}
