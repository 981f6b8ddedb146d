// How an alertmanager channel's alert ends when things go wrong half way (issue 84's "no alert left open"; the on-call
// chaos run left one firing after a SIGKILL): a closing notification or a re-sender cut short after it began ending
// an alert leaves the end written down, and the next to look posts it; the closing notification's words (who
// resolved it, how it recovered) reach Alertmanager even when the re-sender found the incident closed first or its
// re-send crossed the end. The Alertmanager here is a local receiver that records each post and can hold one
// unanswered, as a Steward killed mid-request leaves it.
import { afterAll, expect, test } from "bun:test";
import pino from "pino";
import { systemClock } from "../../../../src/platform/core/clock";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { channelStateMigrations, createChannelState } from "../../../../src/tell/notify/channel-state";
import { alertmanagerChannel } from "../../../../src/tell/notify/channels/alertmanager";
import { createAlertResender, type OpenCheck } from "../../../../src/tell/notify/channels/alertmanager/resender";
import { type ChannelConfig, ChannelConfigSchema } from "../../../../src/tell/notify/config";
import { buildNotification } from "../../../../src/tell/notify/notification";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { ChannelDeps } from "../../../../src/tell/notify/types";
import type { AlertmanagerChannelConfig } from "../../../../src/tell/notify/channels/alertmanager/schema";
import { sqliteBackend } from "../../../helpers/sql-backends";
import { wallLimit } from "../../../helpers/time-limit";
import { waitFor } from "../../../helpers/wait-for";

const backend = sqliteBackend();
afterAll(() => backend.shutdown());

const KEY = "alert:incident:5";
const log = pino({ level: "silent" });

interface Posted {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt?: string;
}

/** A task event of incident 5: its failure (firing) or its recovery (the closing notification). */
function incidentEvent(kind: "task.failed" | "task.recovered"): TaskEvent {
  const e = syntheticTaskEvent(kind === "task.failed" ? { outcome: "failed", taskName: "Load Sales" } : { kind, taskName: "Load Sales" });
  e.source = "udp"; // a test event's alert is posted once and not remembered
  e.incident = { id: 5, status: kind === "task.failed" ? "open" : "closed", failures: 1, openedAt: "2026-11-26T07:00:00.000Z" };
  return e;
}

const notification = (e: TaskEvent) =>
  buildNotification(
    { deliveryId: 1, key: `${e.id}:am`, channel: "am", route: "r", events: [e], recipient: "", target: null, attempt: 1 },
    { headLines: 15, tailLines: 25, links: [] },
  );

/**
 * A store, a channel "am" posting to a local Alertmanager, and that Alertmanager's posts. `hold(alerts)` true keeps
 * that post unanswered until the test ends (a Steward killed while it waited); `onPost` runs before the answer.
 */
async function setUp(o: { hold?: (alerts: Posted[]) => boolean; onPost?: (alerts: Posted[]) => Promise<void>; resendEvery?: string } = {}) {
  const db: SqlDb = await backend.open([channelStateMigrations]);
  const posts: Posted[][] = [];
  const held: Array<() => void> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const alerts = (await req.json()) as Posted[];
      posts.push(alerts);
      if (o.hold?.(alerts)) await new Promise<void>((resolve) => held.push(resolve));
      await o.onPost?.(alerts);
      return new Response("");
    },
  });
  const cfg = ChannelConfigSchema.parse({
    type: "alertmanager",
    urls: [`http://127.0.0.1:${server.port}`],
    resendEvery: o.resendEvery ?? "1h",
    timeout: "60s",
  }) as AlertmanagerChannelConfig;
  const channels: Record<string, ChannelConfig> = { am: cfg };
  const state = createChannelState(db, "am", Date.now);
  const deps = { name: "am", log, clock: systemClock, templates: undefined as never, baseDir: "/", state } satisfies ChannelDeps;
  const channel = alertmanagerChannel.create(cfg, deps);
  const resender = (isOpen: OpenCheck) => createAlertResender({ db, clock: systemClock, log, baseDir: "/", channels: () => channels, isOpen });
  const close = () => {
    for (const r of held.splice(0)) r();
    server.stop(true);
  };
  return { db, state, channel, posts, resender, close };
}

/** Holds the first end posted, and that one only. */
function firstEnd() {
  let held = false;
  return (alerts: Posted[]) => {
    if (held || alerts[0]!.endsAt === undefined) return false;
    held = true;
    return true;
  };
}

/** Waits (bounded) until the channel no longer remembers the alert. */
const forgotten = (state: ReturnType<typeof createChannelState>) =>
  waitFor(async () => ((await state.get(KEY)) === undefined ? true : undefined), { what: "the alert forgotten" });
const firing = (posts: Posted[][]) => posts.flat().filter((a) => a.endsAt === undefined);
const ends = (posts: Posted[][]) => posts.flat().filter((a) => a.endsAt !== undefined);
const stored = async (state: ReturnType<typeof createChannelState>) => {
  const raw = await state.get(KEY);
  return raw === undefined ? undefined : (JSON.parse(raw) as { alert: Posted; ending?: boolean; ended?: boolean });
};

test(
  "a closing notification cut short before Alertmanager answered (its Steward killed): the next re-sender posts that end",
  async () => {
    const s = await setUp({ hold: firstEnd() });
    try {
      await s.channel.send(notification(incidentEvent("task.failed")), AbortSignal.timeout(10_000));
      // The recovery's post never comes back, and nothing after it runs: as a SIGKILL leaves it.
      void s.channel.send(notification(incidentEvent("task.recovered")), new AbortController().signal).catch(() => {});
      await waitFor(() => ends(s.posts).length === 1 || undefined, { what: "the recovery's end on its way" });
      // What the killed Steward left in the shared store: the alert, marked with the end it was posting.
      const left = await stored(s.state);
      expect(left?.ending).toBe(true);
      expect(left?.alert.endsAt).toBeDefined();
      expect(left?.alert.annotations.description).toContain("Load Sales recovered after 1 failed run.");

      // Another node takes the re-send duty; it asks about the incident only for alerts not being ended.
      const asked: unknown[] = [];
      const r = s.resender(async (ref) => {
        asked.push(ref);
        return true;
      });
      await r.start();
      try {
        await waitFor(() => ends(s.posts).length === 2 || undefined, { what: "the end posted again by the re-sender" });
        const again = ends(s.posts)[1]!;
        expect(again.labels.steward_incident).toBe("incident:5");
        expect(again.annotations.description).toContain("Load Sales recovered after 1 failed run.");
        expect(asked).toEqual([]);
        await forgotten(s.state);
        // Never posted firing again after its end.
        expect(firing(s.posts)).toHaveLength(1);
      } finally {
        await r.stop(1_000);
      }
    } finally {
      s.close();
    }
  },
  wallLimit(60_000),
);

test(
  "a re-sender cut short while ending a closed incident's alert: the next holder of the duty posts the end",
  async () => {
    const s = await setUp({ hold: firstEnd(), resendEvery: "300ms" });
    try {
      await s.channel.send(notification(incidentEvent("task.failed")), AbortSignal.timeout(10_000));
      // The incident closed with no closing notification for this channel (no route took it there).
      const first = s.resender(async () => false);
      await first.start();
      await waitFor(() => ends(s.posts).length === 1 || undefined, { what: "the first re-sender's end on its way", timeoutMs: 20_000 });
      expect((await stored(s.state))?.ending).toBe(true);
      // The first re-sender's node is gone while its post waits (it is never answered and never stopped here).
      const next = s.resender(async () => false);
      await next.start();
      try {
        await waitFor(() => ends(s.posts).length === 2 || undefined, { what: "the end posted by the next holder" });
        expect(ends(s.posts)[1]!.labels.steward_incident).toBe("incident:5");
        await forgotten(s.state);
      } finally {
        await next.stop(1_000);
        s.close();
        await first.stop(1_000);
      }
    } finally {
      s.close();
    }
  },
  wallLimit(60_000),
);

test(
  "found closed by the re-sender before its closing notification came: the notification ends it, in its own words",
  async () => {
    const s = await setUp({ resendEvery: "300ms" });
    try {
      await s.channel.send(notification(incidentEvent("task.failed")), AbortSignal.timeout(10_000));
      let passes = 0;
      const r = s.resender(async () => {
        passes++;
        return false;
      });
      await r.start();
      try {
        await waitFor(() => passes >= 1 || undefined, { what: "a pass that found the incident closed" });
        // The closing notification comes after the pass, as a resolve by hand's follow-up does through the outbox.
        await s.channel.send(notification(incidentEvent("task.recovered")), AbortSignal.timeout(10_000));
        await forgotten(s.state);
        await Bun.sleep(700); // two more passes, which must post nothing
        const got = ends(s.posts);
        expect(got).toHaveLength(1);
        expect(got[0]!.annotations.description).toContain("Load Sales recovered after 1 failed run.");
        expect(firing(s.posts)).toHaveLength(1);
      } finally {
        await r.stop(1_000);
      }
    } finally {
      s.close();
    }
  },
  wallLimit(60_000),
);

test(
  "a re-send that crossed the closing notification's end: the end is posted again in the notification's words",
  async () => {
    let s: Awaited<ReturnType<typeof setUp>> | undefined;
    let crossed = false;
    s = await setUp({
      // While the re-send of the firing alert is on its way, the recovery ends it (and is answered first).
      onPost: async (alerts) => {
        if (crossed || alerts[0]!.endsAt !== undefined || !s || s.posts.length < 2) return;
        crossed = true;
        await s.channel.send(notification(incidentEvent("task.recovered")), AbortSignal.timeout(10_000));
      },
    });
    try {
      await s.channel.send(notification(incidentEvent("task.failed")), AbortSignal.timeout(10_000));
      const r = s.resender(async () => true);
      await r.start();
      try {
        await waitFor(() => ends(s!.posts).length >= 2 || undefined, { what: "the end, and the end again after the crossing re-send" });
        const last = s.posts.at(-1)![0]!;
        expect(last.endsAt).toBeDefined();
        expect(last.annotations.description).toContain("Load Sales recovered after 1 failed run.");
        // Kept as ended until the next pass, then forgotten without another post.
        expect((await stored(s.state))?.ended).toBe(true);
      } finally {
        await r.stop(1_000);
      }
      const again = s.resender(async () => true);
      await again.start();
      try {
        await waitFor(async () => ((await s!.state.get(KEY)) === undefined ? true : undefined), { what: "the ended alert forgotten at the next pass" });
        expect(s.posts.at(-1)![0]!.endsAt).toBeDefined();
      } finally {
        await again.stop(1_000);
      }
      // A new failure of the same key after that is a new alert, firing.
      await s.channel.send(notification(incidentEvent("task.failed")), AbortSignal.timeout(10_000));
      expect(s.posts.at(-1)![0]!.endsAt).toBeUndefined();
      expect((await stored(s.state))?.ending).toBeUndefined();
    } finally {
      s.close();
    }
  },
  wallLimit(60_000),
);
