// A config block whose zod schema is built on first use: a start whose config leaves the block out never builds
// it (building schemas is the largest item of a start's CPU time; see bench/README.md).
import { z } from "zod";

/**
 * `z.lazy(build)` that an absent key does not resolve. For a missing key zod asks the field's schema whether it
 * supplies a default (`_zod.optin`), and a plain lazy builds its schema to answer. A block built here never
 * supplies one (it is an object, not a `.default()`), so the answer is given up front; the build checks it.
 */
export function lazySection<T extends z.ZodType>(build: () => T): z.ZodLazy<T> {
  const schema = z.lazy(() => {
    const built = build();
    if (built._zod.optin !== undefined) throw new Error("lazySection: the block's schema supplies a default; use z.lazy instead");
    return built;
  });
  Object.defineProperty(schema._zod, "optin", { value: undefined, writable: true, configurable: true });
  return schema;
}
