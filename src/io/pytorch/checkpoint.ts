// PyTorch checkpoints (pytorch_model.bin) read safely, bytes in, named tensors out: the zip format of
// torch >= 1.6 or the legacy format before it, told apart by their first bytes. No file system here,
// so that fetched bytes are read the same way as a file.

import type { StoredTensor } from '../safetensors-format.js';
import { isLegacyCheckpoint, parseLegacyCheckpoint } from './legacy.js';
import { PytorchError } from './pickle.js';
import { isZipCheckpoint, parseZipCheckpoint } from './zip.js';

export { PytorchError } from './pickle.js';

/** The weights file of a Hugging Face folder saved by PyTorch (published opus-mt folders carry it). */
export const PYTORCH_WEIGHTS_FILE = 'pytorch_model.bin';

/**
 * The state dict of a checkpoint; `file` names errors. Half and bfloat16 tensors come back as float32; float32,
 * float64 and int32 tensors may view `bytes`.
 */
export function parsePytorchCheckpoint(bytes: Uint8Array, file: string): Map<string, StoredTensor> {
  if (isZipCheckpoint(bytes)) return parseZipCheckpoint(bytes, file);
  if (isLegacyCheckpoint(bytes)) return parseLegacyCheckpoint(bytes, file);
  throw new PytorchError(file, 'neither a zip archive (torch >= 1.6) nor a legacy pickle checkpoint (torch < 1.6)');
}
