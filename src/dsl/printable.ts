/**
 * Text made safe to print on stderr: control characters (C0 but the tab, DEL, C1) and the
 * bidirectional formatting characters are written as `\uXXXX`. Used for text taken from the data
 * (a bad record's reason, which quotes the record through `JSON.parse`'s message; an event type or
 * field name offered as "did you mean"; a key) and for a rule file's text in a rule error (its
 * message and source line, `errors.ts`). A record or a rule file could otherwise clear the screen,
 * recolour or retitle the terminal, or reorder what the line shows ("Trojan Source",
 * CVE-2021-42574), through cep's own messages. It lives here, in the first stage, because the rule
 * errors need it and the runtime may import from `src/dsl`, not the other way round. The
 * dead-letter file needs none of this: JSON escapes the controls itself.
 */

const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'g');

/** `text` with every character of {@link UNPRINTABLE} written as `\uXXXX`; `text` itself when it has none. */
export function printable(text: string): string {
  if (!UNPRINTABLE.test(text)) return text;
  return text.replace(UNPRINTABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
