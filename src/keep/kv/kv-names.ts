// What a namespace or key name may hold so that both stores keep it and find it again: PostgreSQL text cannot
// hold the NUL character, and a lone UTF-16 surrogate has no UTF-8 form (either store would keep U+FFFD instead,
// and the name as sent would never be found). The longest name: KV_NAME_MAX_BYTES in the kv config section.
import { z } from "zod";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a name cannot be stored, or undefined when it can. */
export function unstorableNameReason(name: string): string | undefined {
  if (name.includes("\u0000")) return "must not contain the NUL character (U+0000)";
  if (LONE_SURROGATE.test(name)) return "must not contain a lone UTF-16 surrogate (not valid Unicode text)";
  return undefined;
}

/** A namespace or key name as a route receives it: not empty, and storable. */
export const KvNameSchema = z
  .string()
  .min(1)
  .superRefine((name, ctx) => {
    const reason = unstorableNameReason(name);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  });
