// `steward config explain KEY`: finds a key of the reference by its dotted path (a channel's or route's real name
// or index is accepted where the reference says `*`) and explains it, or suggests the key that was probably meant.
import { didYouMean } from "../did-you-mean";
import type { ReferenceEntry } from "./entries";
import { renderEntryText } from "./render";
import type { ReferenceSource } from "./source";

export type Explanation = { ok: true; text: string } | { ok: false; message: string };

/** "routes[0].on" → ["routes", "0", "on"]. */
function segmentsOf(key: string): string[] {
  return key
    .trim()
    .replace(/\[(\d+|\*)?\]/g, ".$1")
    .split(".")
    .filter((s) => s !== "");
}

function matches(entry: ReferenceEntry, segs: string[]): boolean {
  const path = entry.path.split(".");
  return path.length === segs.length && path.every((p, i) => p === segs[i] || p === "*");
}

export function explainKey(key: string, src: ReferenceSource): Explanation {
  const entries = src.entries;
  const segs = segmentsOf(key);
  if (segs.length === 0) return { ok: false, message: "config explain: give a key, e.g. notify.outbox.maxAttempts" };
  // Exact names first: `channels.*.type` is its own entry, not every `type` of every channel variant.
  const exact = entries.filter((e) => e.path === segs.join("."));
  const found = exact.length > 0 ? exact : entries.filter((e) => matches(e, segs));
  if (found.length > 0) return { ok: true, text: found.map((e) => renderEntryText(e, src)).join("\n\n") };
  // Someone with Butler's file in front of them: no Steward key is spelt like it, the import says where it went.
  if (segs[0] === "Butler")
    return {
      ok: false,
      message: `config explain: '${key}' is a key of Butler's config, not Steward's: steward config import-butler BUTLER.yaml converts the file, and its report says what became of each key (docs/switching-from-butler.md)`,
    };
  return { ok: false, message: `config explain: unknown key '${key}'${suggestion(segs, entries)}` };
}

function suggestion(segs: string[], entries: ReferenceEntry[]): string {
  const paths = [...new Set(entries.map((e) => e.path))];
  const wanted = segs.join(".");
  // A misspelt last part below a known key ("kv.maxValueByte", "channels.ops-mail.smtp.hots").
  const parent = segs.slice(0, -1);
  const siblings = entries.filter((e) => {
    const p = e.path.split(".");
    return p.length === segs.length && parent.every((s, i) => p[i] === s || p[i] === "*");
  });
  const near = didYouMean(
    segs[segs.length - 1]!,
    siblings.map((e) => e.path.split(".").pop()!),
  );
  if (near !== undefined) return `; did you mean ${[...parent, near].join(".")}?`;
  const close = didYouMean(wanted, paths);
  if (close !== undefined) return `; did you mean ${close}?`;
  // A key given without its section ("maxAttempts", "outbox.maxAttempts").
  const tail = paths.filter((p) => p.toLowerCase().endsWith(`.${wanted.toLowerCase()}`));
  if (tail.length > 0) return `; did you mean ${tail.slice(0, 5).join(", or ")}?`;
  return `. Top-level keys: ${paths.filter((p) => !p.includes(".")).join(", ")}`;
}
