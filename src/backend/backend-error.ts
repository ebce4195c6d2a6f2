// The error of a backend setting that cannot be honoured, shared by the registry and Node's backend setup.

import { InputError } from '../errors.js';

/** A backend setting (in the environment, or asked for by name) that cannot be honoured. */
export class BackendError extends InputError {
  override name = 'BackendError';
}
