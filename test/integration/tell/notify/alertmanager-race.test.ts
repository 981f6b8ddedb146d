// The re-sender and a closing page at the same moment: a closing page that ends an alert while the re-sender's post of
// it is on its way would be undone by that post (Alertmanager takes the last one), so the re-sender, finding the alert
// gone from the channel's state after its post, ends it again. Also: an incident found closed in two passes running
// has its alert ended (the first leaves its closing notification the time to end it in its own words).
// The Alertmanager here is a local receiver that plays the closing page's part when the re-send arrives.
import { afterAll, expect, test } from "bun:test";
import { systemClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { channelStateMigrations, createChannelState } from "../../../../src/tell/notify/channel-state";
import type { ChannelConfig } from "../../../../src/tell/notify/config";
import { ChannelConfigSchema } from "../../../../src/tell/notify/config";
import { createAlertResender } from "../../../../src/tell/notify/channels/alertmanager/resender";
import { sqliteBackend } from "../../../helpers/sql-backends";
import { waitFor } from "../../../helpers/wait-for";

const backend = sqliteBackend();
afterAll(() => backend.shutdown());

const ALERT = {
  labels: { alertname: "QlikTaskFailed", steward_incident: "incident:5" },
  annotations: { summary: "Load: failed" },
  startsAt: "2026-11-26T07:00:00.000Z",
};

async function setUp(onPost: (alerts: Array<{ endsAt?: string }>, db: SqlDb) => Promise<void>, resendEvery = "1h") {
  const db = await backend.open([channelStateMigrations]);
  const posts: Array<Array<{ labels: Record<string, string>; endsAt?: string }>> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const alerts = (await req.json()) as Array<{ labels: Record<string, string>; endsAt?: string }>;
      posts.push(alerts);
      await onPost(alerts, db);
      return new Response("");
    },
  });
  const channels: Record<string, ChannelConfig> = {
    am: ChannelConfigSchema.parse({ type: "alertmanager", urls: [`http://127.0.0.1:${server.port}`], resendEvery }),
  };
  await createChannelState(db, "am", Date.now).set("alert:incident:5", JSON.stringify({ alert: ALERT, ref: { incident: 5 } }));
  return { db, posts, server, channels };
}

test("a close that lands while the re-send is on its way: the re-sender ends the alert again", async () => {
  // The closing page: it takes the alert from the state (and ends it) while the re-send is being answered.
  const { db, posts, server, channels } = await setUp(async (alerts, db) => {
    if (alerts[0]!.endsAt === undefined) await createChannelState(db, "am", Date.now).take("alert:incident:5");
  });
  const r = createAlertResender({ db, clock: systemClock, log: createSilentLogger(), baseDir: "/", channels: () => channels, isOpen: async () => true });
  try {
    await r.start();
    await waitFor(() => posts.length >= 2 || undefined, { what: "the re-send and the end after it" });
    expect(posts.map((p) => [p[0]!.labels.steward_incident, p[0]!.endsAt === undefined ? "firing" : "ended"])).toEqual([
      ["incident:5", "firing"],
      ["incident:5", "ended"],
    ]);
  } finally {
    await r.stop(1_000);
    server.stop(true);
  }
});

test("an incident found closed in two passes running: its alert is ended and forgotten, never re-sent", async () => {
  const { db, posts, server, channels } = await setUp(async () => {}, "300ms");
  let passes = 0;
  const r = createAlertResender({
    db,
    clock: systemClock,
    log: createSilentLogger(),
    baseDir: "/",
    channels: () => channels,
    isOpen: async (ref) => {
      passes++;
      return ref.incident !== 5;
    },
  });
  try {
    await r.start();
    await waitFor(() => passes >= 1 || undefined, { what: "the first pass" });
    expect(posts).toEqual([]);
    await waitFor(() => posts.length >= 1 || undefined, { what: "the end" });
    expect(passes).toBe(2);
    expect(posts.map((p) => p.map((a) => a.endsAt !== undefined))).toEqual([[true]]);
    // Forgotten once Alertmanager took the end (right after its answer).
    await waitFor(async () => ((await createChannelState(db, "am", Date.now).entries("alert:")).length === 0 ? true : undefined), {
      what: "the ended alert forgotten",
    });
  } finally {
    await r.stop(1_000);
    server.stop(true);
  }
});
