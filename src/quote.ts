// Values from the user or a file quoted for an error message: a name with a newline, a control character,
// a megabyte of text or a deep JSON value must not break the message's one line or flood the terminal.

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

/** A value as JSON for a message: escaped (no line breaks), cut at `max` characters. */
export function quoteJson(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[...]' : typeof value === 'object' ? '{...}' : String(value);
  }
  return oneLine(text, max);
}

/** Text for a one-line message: control characters and line separators escaped, cut at `max` characters. */
export function oneLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code === 10 ? '\\n' : code === 13 ? '\\r' : code === 9 ? '\\t' : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return escaped.length <= max ? escaped : `${escaped.slice(0, max)}...`;
}
