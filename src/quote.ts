// Values from the user quoted for an error message: a name with a newline, a control character or a
// megabyte of text must not break the message's one line or flood the terminal.

/** At most this many characters of one value are shown. */
const MAX_VALUE_CHARS = 80;

/** `value` as a JSON string, cut to a readable length: "abc", "a\nb", "xxxx…(5000 characters)". */
export function quote(value: unknown, maxChars = MAX_VALUE_CHARS): string {
  const text = String(value);
  if (text.length <= maxChars) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, maxChars))}…(${text.length} characters)`;
}

/** Up to `limit` values quoted and joined, then "and N more": `"a", "b" and 40 more`. */
export function quoteList(values: readonly unknown[], limit = 10): string {
  const shown = values.slice(0, limit).map((v) => quote(v));
  const rest = values.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}
