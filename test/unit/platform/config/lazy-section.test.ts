// lazySection: an absent block is not built, a present one validates exactly like the schema it wraps, and a block
// that would supply a default (which the up-front answer would hide) is refused when it is built.
import { expect, test } from "bun:test";
import { z } from "zod";
import { lazySection } from "../../../../src/platform/config/lazy-section";

test("an absent optional block is not built; a present one is validated with its paths", () => {
  let builds = 0;
  const Block = lazySection(() => {
    builds++;
    return z.strictObject({ port: z.number().int().default(4242) });
  });
  const Config = z.strictObject({ name: z.string().default("x"), block: Block.optional() });

  expect(Config.parse({})).toEqual({ name: "x" });
  expect(builds).toBe(0);

  expect(Config.parse({ block: {} })).toEqual({ name: "x", block: { port: 4242 } });
  const bad = Config.safeParse({ block: { port: "no", extra: 1 } });
  expect(bad.success).toBe(false);
  expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual(["block.port", "block"]);
  expect(builds).toBe(1);
});

test("a block whose schema supplies a default is refused", () => {
  const Block = lazySection(() => z.strictObject({ a: z.number() }).default({ a: 1 }));
  expect(() => z.strictObject({ block: Block.optional() }).parse({ block: { a: 2 } })).toThrow(/supplies a default/);
});
