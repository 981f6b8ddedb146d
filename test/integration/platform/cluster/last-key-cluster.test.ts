// Two Stewards on one PostgreSQL store, one listening on loopback and one on 0.0.0.0 with only the stored keys to
// authenticate callers: the last key cannot be revoked through the loopback one (409 naming the other); when the
// keys vanish anyway (removed in the database), the 0.0.0.0 Steward refuses every caller instead of serving them
// anonymously, says so on /ready and in its log, and serves again once a key exists; once it has stopped, the
// last key may go.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Writable } from "node:stream";
import pino from "pino";
import postgres from "postgres";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";

let pg: PostgresService;
let url: string;
const apps: TestApp[] = [];
beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("last_key");
});
afterAll(async () => {
  for (const a of apps.reverse()) await a.close().catch(() => {});
  await pg?.stop();
});

/** `heartbeatMs` is also how often a Steward renews its record of depending on the stored keys. */
const store = (name: string, heartbeatMs = 200, leaseTtlMs = 2_000) =>
  `store:\n  postgres:\n    url: ${url}\n    instanceName: ${name}\n    leaseTtlMs: ${leaseTtlMs}\n    heartbeatIntervalMs: ${heartbeatMs}\n`;
const json = { "content-type": "application/json" };

async function steward(name: string, host: string, log?: pino.Logger): Promise<TestApp & { base: string }> {
  const t = createTestApp(`http: { host: ${host}, port: 0 }\n${store(name)}`, log ? { log } : {});
  apps.push(t);
  await t.app.start();
  return Object.assign(t, { base: t.app.server!.url() });
}

test("the last key stays while a Steward of the cluster listens on 0.0.0.0 with only stored keys", async () => {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: "info" }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c)) as { level: number; msg: string }), cb()) }));

  const a = await steward("node-a", "127.0.0.1");
  let r = await fetch(`${a.base}/v4/admin/apikeys`, { method: "POST", headers: json, body: JSON.stringify({ name: "ops", scopes: ["admin"] }) });
  expect(r.status).toBe(201);
  const ops = ((await r.json()) as { key: string }).key;
  const b = await steward("node-b", "0.0.0.0", log);

  // Through the loopback Steward: refused, naming the Steward that depends on the key.
  r = await fetch(`${a.base}/v4/admin/apikeys/ops`, { method: "DELETE", headers: { "x-api-key": ops } });
  expect(r.status).toBe(409);
  const refusal = ((await r.json()) as { error: string }).error;
  expect(refusal).toContain("ops is the last API key");
  expect(refusal).toContain("node-b (0.0.0.0)");
  // Through the 0.0.0.0 Steward itself: refused too.
  r = await fetch(`${b.base}/v4/admin/apikeys/ops`, { method: "DELETE", headers: { "x-api-key": ops } });
  expect(r.status).toBe(409);
  expect(((await r.json()) as { error: string }).error).toContain("this Steward (0.0.0.0)");
  // A caller without a key keeps the load-script scopes (security.anonymous) and nothing more.
  expect((await fetch(`${b.base}/v4/keyvalues/ns`, { method: "POST", headers: json, body: JSON.stringify({ key: "k", value: "anon" }) })).status).toBe(201);
  expect((await fetch(`${b.base}/v4/admin/apikeys`, { method: "POST", headers: json, body: JSON.stringify({ name: "mine", scopes: ["admin"] }) })).status).toBe(
    401,
  );

  // The keys vanish behind every check (a DBA, a Steward of an older version): node-b locks instead of opening.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`UPDATE api_keys SET revoked_at = '2026-01-01T00:00:00.000Z' WHERE revoked_at IS NULL`;
  } finally {
    await sql.end();
  }
  await waitFor(async () => (await fetch(`${b.base}/ready`)).status === 503, { what: "node-b to report it refuses callers", timeoutMs: 5_000 });
  const ready = (await (await fetch(`${b.base}/ready`)).json()) as { components: Record<string, unknown> };
  expect(ready.components.access).toEqual({ ok: false, required: true });
  // The reason is a detail, shown to admins (nobody, now) and in the log.
  expect((await b.app.readiness.report()).components.access).toMatchObject({
    ok: false,
    detail: expect.stringContaining("refuses every caller on non-public routes"),
  });
  expect(lines.some((l) => l.level === 50 && l.msg.includes("every API key is gone"))).toBe(true);
  expect((await fetch(`${b.base}/v4/keyvalues/ns`, { method: "POST", headers: json, body: JSON.stringify({ key: "k", value: "anon" }) })).status).toBe(401);
  expect((await fetch(`${b.base}/v4/admin/apikeys`, { method: "POST", headers: json, body: JSON.stringify({ name: "mine", scopes: ["admin"] }) })).status).toBe(
    401,
  );
  expect((await fetch(`${b.base}/health`)).status).toBe(200);
  expect((await b.app.audit.query({ action: "access.locked" })).length).toBe(1);

  // A key created through the loopback Steward (open again, on loopback only) ends the lock within a heartbeat.
  // (node-a serves anonymous callers once it has read that no key is left: within a heartbeat.)
  r = await waitFor(
    async () => {
      const res = await fetch(`${a.base}/v4/admin/apikeys`, { method: "POST", headers: json, body: JSON.stringify({ name: "ops2", scopes: ["admin"] }) });
      return res.status === 201 && res;
    },
    { what: "node-a to create a key", timeoutMs: 5_000 },
  );
  const ops2 = ((await r.json()) as { key: string }).key;
  await waitFor(async () => (await fetch(`${b.base}/ready`)).status === 200, { what: "node-b to serve again", timeoutMs: 5_000 });
  expect(
    (await fetch(`${b.base}/v4/keyvalues/ns`, { method: "POST", headers: { ...json, "x-api-key": ops2 }, body: JSON.stringify({ key: "k", value: "v" }) }))
      .status,
  ).toBe(201);

  // node-b stops (and clears its record): nobody depends on the stored keys, so the last one may go.
  await b.app.stop();
  r = await fetch(`${a.base}/v4/admin/apikeys/ops2`, { method: "DELETE", headers: { "x-api-key": ops2 } });
  expect(r.status).toBe(204);
  // And node-b refuses to start again without a key, as at any start.
  const again = createTestApp(`http: { host: 0.0.0.0, port: 0 }\n${store("node-b")}`);
  apps.push(again);
  await expect(again.app.start()).rejects.toThrow("refusing to serve the REST API on 0.0.0.0 without authentication");
});

test("a reload that leaves a 0.0.0.0 Steward with only the stored keys records it, and one that gives it a config key clears that", async () => {
  url = await pg.createDatabase("last_key_reload");
  const { SecuritySchema } = await import("../../../../src/platform/security/config");
  const { generateApiKey, hashApiKey } = await import("../../../../src/platform/security/api-keys");
  const a = await steward("node-a2", "127.0.0.1");
  let r = await fetch(`${a.base}/v4/admin/apikeys`, { method: "POST", headers: json, body: JSON.stringify({ name: "svc", scopes: ["admin"] }) });
  const svc = ((await r.json()) as { key: string }).key;
  const configKey = { name: "local", hash: hashApiKey(generateApiKey()), scopes: ["admin"] };
  const c = createTestApp(
    `http: { host: 0.0.0.0, port: 0 }\n${store("node-c")}security:\n  apiKeys:\n    - { name: local, hash: "${configKey.hash}", scopes: [admin] }\n`,
  );
  apps.push(c);
  await c.app.start();
  const withoutConfigKey = SecuritySchema.parse({});
  const withConfigKey = SecuritySchema.parse({ apiKeys: [configKey] });

  (await c.app.security.service.prepare(withoutConfigKey, "0.0.0.0"))();
  r = await fetch(`${a.base}/v4/admin/apikeys/svc`, { method: "DELETE", headers: { "x-api-key": svc } });
  expect(r.status).toBe(409);
  expect(((await r.json()) as { error: string }).error).toContain("node-c (0.0.0.0)");

  (await c.app.security.service.prepare(withConfigKey, "0.0.0.0"))();
  await waitFor(async () => (await fetch(`${a.base}/v4/admin/apikeys/svc`, { method: "DELETE", headers: { "x-api-key": svc } })).status === 204, {
    what: "the last stored key to be revocable",
    timeoutMs: 5_000,
  });
  // Without stored keys, a reload back to only the stored keys is refused: the listener would be open.
  await expect(c.app.security.service.prepare(withoutConfigKey, "0.0.0.0")).rejects.toThrow("refusing to serve the REST API on 0.0.0.0 without authentication");
});

test("a key refresh on its way when a reload ends the dependence on stored keys does not record it again", async () => {
  // Made to happen every time: another session holds the keys' lock, so node-d's renewal of its record waits for it;
  // meanwhile a reload gives node-d a config key and clears the record. When the lock is let go the renewal must not
  // write the record back: it would block revoking the last stored key for a minute, naming a Steward that no longer
  // depends on it (seen under load as the 15 s wait above running out).
  url = await pg.createDatabase("last_key_refresh_race");
  const { SecuritySchema } = await import("../../../../src/platform/security/config");
  const { generateApiKey, hashApiKey } = await import("../../../../src/platform/security/api-keys");
  const a = await steward("node-a3", "127.0.0.1");
  const r = await fetch(`${a.base}/v4/admin/apikeys`, { method: "POST", headers: json, body: JSON.stringify({ name: "svc", scopes: ["admin"] }) });
  const svc = ((await r.json()) as { key: string }).key;
  const configKey = { name: "local", hash: hashApiKey(generateApiKey()), scopes: ["admin"] };
  // Its own renewals come every minute, not every 200 ms: the one on its way is the test's (on a loaded machine a
  // timer's renewal waited beside it).
  const d = createTestApp(
    `http: { host: 0.0.0.0, port: 0 }\n${store("node-d", 60_000, 120_000)}security:\n  apiKeys:\n    - { name: local, hash: "${configKey.hash}", scopes: [admin] }\n`,
  );
  apps.push(d);
  await d.app.start();
  const service = d.app.security.service;
  (await service.prepare(SecuritySchema.parse({}), "0.0.0.0"))();
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const records = async () => (await sql`SELECT instance_name FROM api_key_requirements WHERE instance_name = 'node-d'`).length;
  expect(await records()).toBe(1);
  const holder = await sql.reserve();
  try {
    await holder.unsafe("BEGIN");
    await holder.unsafe("SELECT pg_advisory_xact_lock(1400141643)"); // the keys' lock (src/platform/security/key-store.ts)
    const refresh = service.refreshKeys();
    const waiting = async () =>
      (await sql`SELECT 1 FROM pg_stat_activity WHERE application_name = 'steward node-d' AND wait_event_type = 'Lock' AND wait_event = 'advisory'`).length;
    await waitFor(async () => (await waiting()) > 0, { what: "node-d's renewal to wait for the keys' lock" });
    expect(await waiting()).toBe(1);
    (await service.prepare(SecuritySchema.parse({ apiKeys: [configKey] }), "0.0.0.0"))();
    await waitFor(async () => (await records()) === 0, { what: "the reload's release of the record" });
    await holder.unsafe("ROLLBACK");
    await refresh;
    expect(await records()).toBe(0);
    const revoked = await fetch(`${a.base}/v4/admin/apikeys/svc`, { method: "DELETE", headers: { "x-api-key": svc } });
    expect(revoked.status).toBe(204);
  } finally {
    holder.release();
    await sql.end();
  }
});
