// The on-call webhooks' spool (issue 103): bounded in files and bytes (a full spool refuses, so the route answers
// 503), applied oldest first, kept through a store outage and a restart, and never applied twice.
import { afterEach, expect, test } from "bun:test";
import { readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { createManualClock } from "../../../../src/platform/core/clock";
import { configCheckCommand } from "../../../../src/show/cli/config-commands";
import { CLAIM_STALE_MS, createWebhookSpool, type SpooledDelivery } from "../../../../src/tell/on-call/webhook-spool";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

let dir: TempDir | undefined;
afterEach(() => {
  dir?.remove();
  dir = undefined;
});

const log = pino({ level: "silent" });
const delivery = (n: number, agent = "Anna Berg"): SpooledDelivery => ({
  act: {
    product: "pagerduty",
    productName: "PagerDuty",
    channel: "pd",
    action: "acknowledge",
    key: `steward-incident-${n}`,
    agent,
    reference: `E${n}`,
    ip: undefined,
  },
  deliveryId: `E${n}`,
  receivedAtMs: 1_000 + n,
});

test("full at maxFiles or maxBytes: refused, nothing written", () => {
  dir = createTempDir("spool-");
  const spool = createWebhookSpool({ dir: dir.path, clock: createManualClock(0), log, apply: async () => {}, maxFiles: 3, maxBytes: 100_000 });
  expect([1, 2, 3, 4].map((n) => spool.put(delivery(n)))).toEqual([true, true, true, false]);
  expect(readdirSync(dir.path)).toHaveLength(3);
  const small = createWebhookSpool({ dir: `${dir.path}/small`, clock: createManualClock(0), log, apply: async () => {}, maxBytes: 600 });
  expect(small.put(delivery(1))).toBe(true);
  expect(small.put(delivery(2, "x".repeat(300)))).toBe(false);
  expect(small.size()).toBe(1);
});

test("applied oldest first; a store outage stops the drain and keeps the rest, also for the next process", async () => {
  dir = createTempDir("spool-");
  const applied: string[] = [];
  let down = true;
  const apply = async (d: SpooledDelivery) => {
    if (down && d.deliveryId === "E2") throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    applied.push(d.deliveryId);
  };
  const first = createWebhookSpool({ dir: dir.path, clock: createManualClock(0), log, apply });
  for (const n of [3, 1, 2]) first.put(delivery(n));
  expect(await first.drain()).toBe(1);
  expect(applied).toEqual(["E1"]);
  // A restart: the next process finds the two left and applies them once the store answers.
  down = false;
  const second = createWebhookSpool({ dir: dir.path, clock: createManualClock(0), log, apply });
  expect(second.size()).toBe(2);
  expect(await second.drain()).toBe(2);
  expect(applied).toEqual(["E1", "E2", "E3"]);
  expect(await second.drain()).toBe(0);
  expect(readdirSync(dir.path)).toEqual([]);
});

// Issue 104: a spool that outlives its Steward. With notify.webhookSpool.dir shared by the Stewards of a cluster, what
// one kept is applied by another: node-a keeps two deliveries and never comes back; node-b applies them.
test("a shared folder: what a Steward that never returns kept is applied by another, once", async () => {
  dir = createTempDir("spool-shared-");
  const applied: string[] = [];
  const apply = async (d: SpooledDelivery) => {
    applied.push(d.deliveryId);
  };
  const a = createWebhookSpool({ dir: dir.path, clock: createManualClock(0), log, apply, instance: "node-a", shared: true });
  const b = createWebhookSpool({ dir: dir.path, clock: createManualClock(0), log, apply, instance: "node-b", shared: true });
  a.put(delivery(2));
  a.put(delivery(1));
  expect(b.size()).toBe(2);
  expect(await b.drain()).toBe(2);
  expect(applied).toEqual(["E1", "E2"]);
  expect(readdirSync(dir.path)).toEqual([]);
});

test("two Stewards draining one folder at once apply each delivery once", async () => {
  dir = createTempDir("spool-race-");
  const applied: string[] = [];
  const apply = async (d: SpooledDelivery) => {
    await Bun.sleep(1); // let the other drain run between claim and apply
    applied.push(d.deliveryId);
  };
  const a = createWebhookSpool({ dir: dir.path, clock: createManualClock(0), log, apply, instance: "node-a", shared: true });
  const b = createWebhookSpool({ dir: dir.path, clock: createManualClock(0), log, apply, instance: "node-b", shared: true });
  for (let n = 1; n <= 20; n++) (n % 2 ? a : b).put(delivery(n));
  const [x, y] = await Promise.all([a.drain(), b.drain()]);
  expect(x + y).toBe(20);
  expect(applied.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `E${i + 1}`).sort());
});

test("a claim left by a Steward killed while applying it is taken back by another after CLAIM_STALE_MS", async () => {
  dir = createTempDir("spool-stale-");
  const applied: string[] = [];
  const apply = async (d: SpooledDelivery) => {
    applied.push(d.deliveryId);
  };
  const clock = createManualClock(0);
  const a = createWebhookSpool({ dir: dir.path, clock: createManualClock(0), log, apply, instance: "node-a", shared: true });
  a.put(delivery(1));
  // node-a claimed it (renamed it) and was killed before applying it.
  const [file] = readdirSync(dir.path);
  renameSync(join(dir.path, file!), join(dir.path, `${file}.claim-node-a`));
  const b = createWebhookSpool({ dir: dir.path, clock, log, apply, instance: "node-b", shared: true });
  expect(await b.drain()).toBe(0);
  await clock.advance(CLAIM_STALE_MS - 1_000);
  expect(await b.drain()).toBe(0);
  await clock.advance(1_000);
  expect(await b.drain()).toBe(1);
  expect(applied).toEqual(["E1"]);
  // node-a restarted later finds nothing of its own to apply again.
  expect(await createWebhookSpool({ dir: dir.path, clock: createManualClock(0), log, apply, instance: "node-a", shared: true }).drain()).toBe(0);
  expect(applied).toEqual(["E1"]);
});

test("config check warns on PostgreSQL with an on-call webhook and no shared spool folder, at store.postgres's line", () => {
  dir = createTempDir("spool-check-");
  const file = join(dir.path, "steward.yaml");
  const yaml = (extra: string) => `dataDir: ${dir!.path}/data
store:
  postgres: { url: "postgres://steward@127.0.0.1:5432/steward", instanceName: node-a }
channels:
  pd: { type: pagerduty, routingKey: "R0123456789abcdef0123456789abcde", webhookSecret: a-secret }
routes:
  - { on: [task.failed, task.recovered], to: [pd] }
http: { host: 0.0.0.0, port: 8080 }
security: { allowUnauthenticated: true }
${extra}`;
  const check = (text: string) => {
    writeFileSync(file, text);
    const lines: string[] = [];
    configCheckCommand(file, (s) => lines.push(s));
    return lines.filter((l) => l.includes("notify.webhookSpool.dir"));
  };
  const warned = check(yaml(""));
  expect(warned).toHaveLength(1);
  expect(warned[0]).toStartWith(`${file}:3:`);
  expect(warned[0]).toContain("store.postgres: warning: with several Stewards on this store");
  expect(check(yaml(`notify:\n  webhookSpool: { dir: ${JSON.stringify(`${dir.path}/shared`)} }\n`))).toEqual([]);
});
