// The on-call webhooks' spool (issue 103): bounded in files and bytes (a full spool refuses, so the route answers
// 503), applied oldest first, kept through a store outage and a restart, and never applied twice.
import { afterEach, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import pino from "pino";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createWebhookSpool, type SpooledDelivery } from "../../../../src/tell/on-call/webhook-spool";
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
