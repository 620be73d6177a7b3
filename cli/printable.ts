/**
 * C0 and C1 control characters, DEL, line and paragraph separators, and the bidirectional
 * overrides: what could move the cursor, retitle the terminal, add a line or reorder the text an
 * operator reads.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text from the server (or anyone else) made safe to print on one line: each control character becomes `?`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, '?');
}
