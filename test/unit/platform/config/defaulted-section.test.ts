// defaultedSection: an absent block takes the defaults it was given without building its schema, each parse its own
// copy; a present one (an empty mapping too) is built and validated with its paths; the JSON Schema is the block's.
import { expect, test } from "bun:test";
import { z } from "zod";
import { defaultedSection } from "../../../../src/platform/config/defaulted-section";

function counted() {
  const seen = { builds: 0 };
  const build = () => {
    seen.builds++;
    return z.strictObject({ port: z.number().int().default(4242), hosts: z.array(z.string()).default([]) }).prefault({});
  };
  return { seen, build };
}

test("an absent block is not built and gets a copy of its defaults; a present one is validated with its paths", () => {
  const { seen, build } = counted();
  const Config = () => z.strictObject({ name: z.string().default("x"), block: defaultedSection(build, { port: 4242, hosts: [] }) });

  const first = Config().parse({});
  expect(first).toStrictEqual({ name: "x", block: { port: 4242, hosts: [] } });
  first.block.hosts.push("changed");
  expect(Config().parse({}).block.hosts).toEqual([]);
  expect(seen.builds).toBe(0);

  expect(Config().parse({ block: { port: 1 } })).toStrictEqual({ name: "x", block: { port: 1, hosts: [] } });
  const bad = Config().safeParse({ block: { port: "no", extra: 1 } });
  expect(bad.success).toBe(false);
  expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual(["block.port", "block"]);
  expect(Config().safeParse({ block: null }).success).toBe(false);
  expect(seen.builds).toBe(3);
});

test("the JSON Schema of a config with the block is the one of the block itself", () => {
  const { build } = counted();
  const wrapped = z.toJSONSchema(z.strictObject({ block: defaultedSection(build, {}) }), { io: "input" });
  const plain = z.toJSONSchema(z.strictObject({ block: build() }), { io: "input" });
  expect(wrapped as unknown).toEqual(plain);
});

test("a block whose schema supplies no default for an absent key is refused when it is built", () => {
  const Block = defaultedSection(() => z.strictObject({ a: z.number() }), { a: 1 });
  expect(() => z.strictObject({ block: Block }).parse({ block: { a: 2 } })).toThrow(/must supply a default/);
});
