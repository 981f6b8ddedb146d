// Keeps the set of secret values (from ${env:…}/${file:…} substitution and secret-named keys) and masks them
// in any text, so no log line can carry a password even when a library logs a whole options object.
export const REDACTED = "[REDACTED]";

/** Key names whose values are always secret wherever they appear in config or log objects. */
export const SECRET_KEY_PATTERN = /pass(word)?|secret|token|api[-_]?key|routing[-_]?key|authorization|hmac|private[-_]?key|credential/i;

export interface SecretRegistry {
  add(value: string): void;
  mask(text: string): string;
  readonly size: number;
}

export function createSecretRegistry(): SecretRegistry {
  const secrets = new Set<string>();
  let pattern: RegExp | undefined;
  return {
    add(value: string) {
      // Very short values would mask ordinary words and numbers all over the log.
      if (value.length < 4 || secrets.has(value)) return;
      secrets.add(value);
      // JSON log lines carry the escaped form of values with quotes, backslashes or control characters.
      secrets.add(JSON.stringify(value).slice(1, -1));
      const sorted = [...secrets].sort((a, b) => b.length - a.length);
      pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
    },
    mask(text: string) {
      return pattern ? text.replace(pattern, REDACTED) : text;
    },
    get size() {
      return secrets.size;
    },
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
