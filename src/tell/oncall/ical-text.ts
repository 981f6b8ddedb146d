// RFC 5545 text, written by Steward itself (a few rules, no library in the binary): CRLF line ends, content lines
// folded at 75 octets without splitting a UTF-8 character, TEXT values escaped, times in UTC.

/** A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11). */
export const icalText = (s: string): string => s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");

/** A DATE-TIME in UTC form: 20261127T160000Z. */
export const icalUtc = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");

const encoder = new TextEncoder();

/** One content line folded to 75 octets a line, each continuation starting with a space (RFC 5545 3.1). */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const ch of line) {
    const size = encoder.encode(ch).length;
    // The first line holds 75 octets; a continuation's leading space is one of its 75.
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = "";
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

/** Content lines as one document: each folded, each ended by CRLF. */
export const icalDocument = (lines: readonly string[]): string => lines.map((l) => `${foldLine(l)}\r\n`).join("");
