// The one line between a user's mistake and a bug. Every error the library throws because of what it
// was given (a file, a field, a setting) extends InputError, so that a consumer such as the CLI can
// print its message alone and exit, while anything else keeps its stack as the bug it is.

/** Bad input: the message names the file, line, field or setting and what was expected. */
export class InputError extends Error {}

/** True for errors that describe bad input rather than a defect of the library. */
export function isInputError(error: unknown): error is InputError {
  return error instanceof InputError;
}
