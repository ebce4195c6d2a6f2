// A server that cannot listen: a busy or forbidden port is the user's to change, so it becomes one line naming
// the flag; anything else reports itself (main decides how).

import { InputError } from '../errors.js';

export function listenError(error: unknown, host: string, port: string): Error {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') return new InputError(`port ${port} on ${host} is in use; pick another with --port`);
  if (code === 'EACCES') return new InputError(`not allowed to listen on ${host}:${port}`);
  return error as Error;
}
