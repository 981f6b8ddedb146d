// Revocations of the last keys at the same moment, each signed with another of them, on a REST API that listens on 0.0.0.0 with
// only the stored keys: never all of them succeed, in any round, so a key always stays and anonymous callers stay
// out. On the SQLite file both requests go to one Steward; on PostgreSQL to two Stewards of one cluster.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { wallLimit } from "../../../helpers/time-limit";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const ROUNDS = 20;
const json = { "content-type": "application/json" };
const apps: TestApp[] = [];
let pg: PostgresService | undefined;
const tmp = createTempDir("steward-race-");
afterAll(async () => {
  for (const a of apps.reverse()) await a.close().catch(() => {});
  await pg?.stop();
  tmp.remove();
});

async function createKey(base: string, name: string, key?: string): Promise<string> {
  const r = await fetch(`${base}/v4/admin/apikeys`, {
    method: "POST",
    headers: { ...json, ...(key ? { "x-api-key": key } : {}) },
    body: JSON.stringify({ name, scopes: ["admin"] }),
  });
  expect(r.status).toBe(201);
  return ((await r.json()) as { key: string }).key;
}

/**
 * Rounds of: six fresh keys are the only ones left, then each is revoked at once, signed with the next one
 * (alternately through `bases[0]` and `bases[1]`). Five may go, never six.
 */
async function race(bases: [string, string], seedKey: string, seedName: string): Promise<void> {
  let keep = { name: seedName, key: seedKey };
  for (let round = 0; round < ROUNDS; round++) {
    const keys: Array<{ name: string; key: string }> = [];
    for (let i = 0; i < 6; i++) keys.push({ name: `r${round}k${i}`, key: await createKey(bases[0], `r${round}k${i}`, keep.key) });
    expect((await fetch(`${bases[0]}/v4/admin/apikeys/${keep.name}`, { method: "DELETE", headers: { "x-api-key": keys[0]!.key } })).status).toBe(204);
    // Every Steward knows every key (one reads keys made through another within a heartbeat): a real race.
    for (const base of new Set(bases)) {
      for (const k of keys)
        await waitFor(async () => (await fetch(`${base}/v4/admin/security`, { headers: { "x-api-key": k.key } })).status === 200, {
          what: `${base} to know ${k.name}`,
        });
    }
    const answers = await Promise.all(
      keys.map((k, i) => fetch(`${bases[i % 2]}/v4/admin/apikeys/${k.name}`, { method: "DELETE", headers: { "x-api-key": keys[(i + 1) % keys.length]!.key } })),
    );
    const statuses = answers.map((r) => r.status);
    // The ones that lose are refused as the last key (409), or their signing key was revoked first (401).
    expect({ round, statuses, allRevoked: statuses.every((s) => s === 204) }).toMatchObject({ round, allRevoked: false });
    expect(statuses.every((s) => s === 204 || s === 409 || s === 401)).toBe(true);
    for (const base of bases) {
      // Still closed: a caller without a key cannot make itself a key (it keeps only the load-script scopes, security.anonymous).
      const anonymous = JSON.stringify({ name: `anonymous-${round}`, scopes: ["admin"] });
      expect((await fetch(`${base}/v4/admin/apikeys`, { method: "POST", headers: json, body: anonymous })).status).toBe(401);
    }
    keep = keys.find((_, i) => statuses[i] !== 204)!;
  }
}

describe("concurrent revocations of the last keys", () => {
  test(`SQLite, one Steward on 0.0.0.0: ${ROUNDS} rounds, never all`, { timeout: wallLimit(120_000) }, async () => {
    const seed = createTestApp("", { dir: `${tmp.path}/sqlite` });
    await seed.app.start();
    const r = await seed.request("/v4/admin/apikeys", { method: "POST", headers: json, body: JSON.stringify({ name: "seed", scopes: ["admin"] }) });
    const seedKey = ((await r.json()) as { key: string }).key;
    await seed.app.stop();
    const t = createTestApp("http: { host: 0.0.0.0, port: 0 }\n", { dir: `${tmp.path}/sqlite` });
    apps.push(t);
    await t.app.start();
    const base = t.app.server!.url();
    await race([base, base], seedKey, "seed");
  });

  describe("PostgreSQL", () => {
    beforeAll(async () => {
      pg = await startPostgres();
    });
    test(`two Stewards on 0.0.0.0, revocations through both: ${ROUNDS} rounds, never all`, { timeout: wallLimit(120_000) }, async () => {
      const url = await pg!.createDatabase("revoke_race");
      const store = (name: string) => `store:\n  postgres:\n    url: ${url}\n    instanceName: ${name}\n    heartbeatIntervalMs: 200\n    leaseTtlMs: 2000\n`;
      const seed = createTestApp(store("seed"));
      apps.push(seed);
      await seed.app.start();
      const seedKey = await createKey(seed.app.server!.url(), "seed");
      await seed.app.stop();
      const bases: string[] = [];
      for (const name of ["node-a", "node-b"]) {
        const t = createTestApp(`http: { host: 0.0.0.0, port: 0 }\n${store(name)}`);
        apps.push(t);
        await t.app.start();
        bases.push(t.app.server!.url());
      }
      await race(bases as [string, string], seedKey, "seed");
    });
  });
});
