// Converts ids between base 62 (Qlik's short ids in URLs and QVD names, alphabet 0-9a-zA-Z) and base 16.
// Linear in the input length per output digit; the callers cap the input so the cost stays bounded.

const BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const HEX = "0123456789abcdef";

export class BaseConvertError extends Error {}

/** Base-62 text to lower-case hex. "" and all-zero inputs give "0", as Butler answers. */
export function base62ToBase16(text: string): string {
  return convert(digitsOf(text, BASE62, "base62"), 62, 16, HEX);
}

/** Hex text (either case) to base 62. */
export function base16ToBase62(text: string): string {
  return convert(digitsOf(text.toLowerCase(), HEX, "base16"), 16, 62, BASE62);
}

function digitsOf(text: string, alphabet: string, name: string): number[] {
  const digits: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const d = alphabet.indexOf(text[i]!);
    if (d < 0) throw new BaseConvertError(`${name}: character ${JSON.stringify(text[i])} at position ${i + 1} is not a ${name} digit`);
    digits.push(d);
  }
  return digits;
}

/** Long division on digit arrays: exact for any length, no BigInt parsing of untrusted text. */
function convert(digits: number[], from: number, to: number, alphabet: string): string {
  let num = digits;
  let out = "";
  while (num.length > 0) {
    const quotient: number[] = [];
    let rest = 0;
    for (const d of num) {
      const acc = rest * from + d;
      const q = Math.floor(acc / to);
      rest = acc % to;
      if (quotient.length > 0 || q > 0) quotient.push(q);
    }
    out = alphabet[rest]! + out;
    num = quotient;
  }
  return out.replace(/^0+(?=.)/, "") || "0";
}
