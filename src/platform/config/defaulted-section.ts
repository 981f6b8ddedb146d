// A config block with a default (`.prefault({})`) whose zod schema is built only when the file has the block. A
// default config leaves most blocks out, and building them all to fill in their defaults was most of a start's
// schema constructions (about 1,500 of 2,700), which the optimizing compiler then also compiled (bench/README.md).
import { z } from "zod";
import { copyJson } from "../core/json-copy";

type Payload = { value: unknown };
type Parse = (payload: Payload, ctx: { direction?: string }) => unknown;

/**
 * `z.lazy(build)` that fills in an absent block with `defaults` (what `build()` gives for undefined: the snapshot
 * scripts/gen-config-reference.ts writes and section-defaults.test.ts compares) without building it. A present
 * block is parsed by the built schema, so its errors, and the JSON Schema, the reference and `config explain`,
 * which resolve the lazy, are the block's own. The field's optin and optout are given up front, as lazySection
 * does: zod reads them for every key, and a plain lazy builds its schema to answer.
 */
export function defaultedSection<T extends z.ZodType>(build: () => T, defaults: unknown): z.ZodLazy<T> {
  const schema = z.lazy(() => {
    const built = build();
    if (built._zod.optin !== "defaulted" || built._zod.optout !== undefined)
      throw new Error("defaultedSection: the block's schema must supply a default for an absent key (.prefault or .default)");
    return built;
  });
  Object.defineProperty(schema._zod, "optin", { value: "defaulted", writable: true, configurable: true });
  Object.defineProperty(schema._zod, "optout", { value: undefined, writable: true, configurable: true });
  const internals = schema._zod as unknown as { parse: Parse; run: Parse };
  const parse = internals.parse;
  // A lazy has no checks, so zod runs it through `run`, set to `parse` when it was made: both are replaced.
  internals.parse = internals.run = (payload, ctx) => {
    if (payload.value === undefined && ctx.direction !== "backward") {
      payload.value = copyJson(defaults); // each config its own copy: a caller may change what it was given
      return payload;
    }
    return parse(payload, ctx);
  };
  return schema;
}
