// The --quantize flag of translate, score, serve and bench decode: none (float32 weights), or int8.

import { QUANTIZATIONS, type Quantization } from '../nn/int8.js';
import { quote } from '../quote.js';
import { UsageError } from './flags.js';

export function parseQuantize(value: string | undefined): Quantization {
  const quantization = value ?? 'none';
  if (!(QUANTIZATIONS as readonly string[]).includes(quantization))
    throw new UsageError(`--quantize must be one of ${QUANTIZATIONS.join(', ')}, got ${quote(quantization)}`);
  return quantization as Quantization;
}
