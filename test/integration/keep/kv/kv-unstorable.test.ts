// Names and values the stores cannot keep as sent, over REST on both stores: the same answer from the SQLite file
// and from PostgreSQL (a 413 or a 400 naming the field, never a 500 or a name stored and never found again), and
// kv.maxValueBytes measured on what is stored (the value's JSON text).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";

const json = (body: unknown, method = "POST"): RequestInit => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
/** Incompressible text of n ASCII bytes (PostgreSQL compresses index entries, so repeated letters would fit anyway). */
const noise = (n: number) => randomBytes(n).toString("base64url").slice(0, n);

let pg: PostgresService;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

const stores: Array<[string, () => Promise<string>]> = [
  ["sqlite", async () => ""],
  ["postgres", async () => `store:\n  postgres:\n    url: ${await pg.createDatabase(`kv_unstorable_${Date.now()}`)}\n`],
];

for (const [name, storeYaml] of stores) {
  describe(`KV names and values on ${name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = createTestApp(`${await storeYaml()}kv:\n  maxValueBytes: 10000\n`);
      await t.app.start();
    });
    afterAll(async () => {
      await t?.close();
    });

    const expectRefused = async (res: Response, status: number, field: string) => {
      const body = (await res.json()) as { code: string; error: string; details?: unknown };
      expect({ status: res.status, field: JSON.stringify(body.details ?? body.error).includes(field) }).toEqual({ status, field: true });
    };

    test("an 8,000-byte key is a 413 naming the key; the longest names PostgreSQL can index are stored and found", async () => {
      await expectRefused(await t.request("/v4/keyvalues/ns", json({ key: noise(8000), value: "x" })), 413, "key");
      // Each name at kv.maxKeyBytes is fine alone; together they are over what PostgreSQL indexes.
      await expectRefused(await t.request(`/v4/keyvalues/${noise(2048)}`, json({ key: noise(2048), value: "x" })), 413, "key");
      const ns = noise(2048);
      const key = noise(550);
      let r = await t.request(`/v4/keyvalues/${ns}`, json({ key, value: "long names" }));
      expect(r.status).toBe(201);
      r = await t.request(`/v4/keyvalues/${ns}?key=${key}`);
      expect(await r.json()).toEqual({ namespace: ns, key, value: "long names" });
    });

    test("NUL in a namespace or a key is a 400 naming it, on writes and reads", async () => {
      await expectRefused(await t.request("/v4/keyvalues/x%00y", json({ key: "k", value: "v" })), 400, "path.namespace");
      await expectRefused(await t.request("/v4/keyvalues/ns", json({ key: "a\u0000b", value: "v" })), 400, "body.key");
      await expectRefused(await t.request("/v4/keyvalues/x%00y?key=a"), 400, "path.namespace");
      await expectRefused(await t.request("/v4/keyvalues/ns?key=a%00"), 400, "query.key");
      await expectRefused(await t.request("/v4/keyvalues/ns/keyexists?key=a%00"), 400, "query.key");
      await expectRefused(await t.request("/v4/keyvalues/ns/a%00", { method: "DELETE" }), 400, "path.key");
      await expectRefused(await t.request("/v4/keyvalues/x%00", { method: "DELETE" }), 400, "path.namespace");
      await expectRefused(await t.request("/v4/keylist/x%00"), 400, "path.namespace");
      // The store itself is unchanged and answers.
      expect((await t.request("/v4/keyvaluesnamespaces")).status).toBe(200);
    });

    test("a lone surrogate in a key or namespace is a 400 (it would be stored as U+FFFD and never found)", async () => {
      const body = '{"key":"a\\ud800b","value":"v"}';
      await expectRefused(await t.request("/v4/keyvalues/ns", { method: "POST", headers: { "content-type": "application/json" }, body }), 400, "body.key");
      const r = await t.request("/v4/keyvalues/ns", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"key":"a\\udc00","value":"v"}',
      });
      await expectRefused(r, 400, "body.key");
      expect(await t.app.kv!.namespaces()).not.toContain("\ufffd");
    });

    test("a value with NUL, control characters or a lone surrogate is stored as JSON text and read back as sent", async () => {
      for (const value of ["a\u0000b", "tab\tnl\n\u0001", "half \ud800 surrogate"]) {
        expect((await t.request("/v4/keyvalues/values", json({ key: "k", value }))).status).toBe(201);
        const r = await t.request("/v4/keyvalues/values?key=k");
        expect(((await r.json()) as { value: string }).value).toBe(value);
      }
    });

    test("kv.maxValueBytes counts the value as stored: 9,900 × U+0001 is 59,400 bytes of escapes", async () => {
      const r = await t.request("/v4/keyvalues/big", json({ key: "k", value: "\u0001".repeat(9900) }));
      expect(r.status).toBe(413);
      expect(await r.json()).toMatchObject({ details: { field: "value", bytes: 59_400, limit: 10_000 } });
      // 1,666 escapes are 9,996 stored bytes: in; plain text counts its UTF-8 bytes, without the quotes.
      expect((await t.request("/v4/keyvalues/big", json({ key: "k", value: "\u0001".repeat(1666) }))).status).toBe(201);
      expect((await t.request("/v4/keyvalues/big", json({ key: "k", value: "\u0001".repeat(1667) }))).status).toBe(413);
      expect((await t.request("/v4/keyvalues/big", json({ key: "k", value: "é".repeat(5000) }))).status).toBe(201);
      expect((await t.request("/v4/keyvalues/big", json({ key: "k", value: `${"é".repeat(5000)}x` }))).status).toBe(413);
    });
  });
}
