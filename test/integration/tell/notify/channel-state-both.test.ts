// A channel's durable state on both stores: entries(prefix) lists exactly the keys under a prefix (a '%' or '_' in
// it taken literally, other channels' keys left out), in key order, as the alertmanager re-sender reads its open alerts;
// replace and takeIf change a key only while it holds the value the caller read (how an alert's end is marked and then
// forgotten without losing a newer value written meanwhile).
import { afterAll, describe, expect, test } from "bun:test";
import { channelStateMigrations, createChannelState, memoryChannelState } from "../../../../src/tell/notify/channel-state";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends) {
  describe(`channel state on ${backend.name}`, () => {
    test("entries lists the keys under a prefix, literally and in order", async () => {
      const db = await backend.open([channelStateMigrations]);
      const am = createChannelState(db, "am", () => 1);
      const other = createChannelState(db, "other", () => 1);
      for (const k of ["alert:incident:2", "alert:cause:1", "alertx", "cause:1", "a%ert:1", "Alert:upper"]) await am.set(k, `v-${k}`);
      await other.set("alert:incident:9", "theirs");
      expect(await am.entries("alert:")).toEqual([
        { key: "alert:cause:1", value: "v-alert:cause:1" },
        { key: "alert:incident:2", value: "v-alert:incident:2" },
      ]);
      expect((await am.entries("a%")).map((e) => e.key)).toEqual(["a%ert:1"]);
      expect(await am.take("alert:cause:1")).toBe(true);
      expect((await am.entries("alert:")).map((e) => e.key)).toEqual(["alert:incident:2"]);
    });

    test("replace and takeIf act only on the value the caller read", async () => {
      const db = await backend.open([channelStateMigrations]);
      let at = 1;
      const am = createChannelState(db, "am", () => at);
      const other = createChannelState(db, "other", () => 1);
      await am.set("alert:incident:1", "firing");
      await other.set("alert:incident:1", "firing");
      at = 2;
      expect(await am.replace("alert:incident:1", "stale", "ending")).toBe(false);
      expect(await am.get("alert:incident:1")).toBe("firing");
      expect(await am.replace("alert:incident:1", "firing", "ending")).toBe(true);
      expect(await am.get("alert:incident:1")).toBe("ending");
      expect(await other.get("alert:incident:1")).toBe("firing");
      const row = await db.get<{ updated_at: number }>("SELECT updated_at FROM channel_state WHERE channel = 'am' AND key = 'alert:incident:1'");
      expect(Number(row?.updated_at)).toBe(2);
      expect(await am.replace("alert:incident:2", "firing", "ending")).toBe(false);
      expect(await am.get("alert:incident:2")).toBeUndefined();
      expect(await am.takeIf("alert:incident:1", "firing")).toBe(false);
      expect(await am.get("alert:incident:1")).toBe("ending");
      expect(await am.takeIf("alert:incident:1", "ending")).toBe(true);
      expect(await am.get("alert:incident:1")).toBeUndefined();
      expect(await other.get("alert:incident:1")).toBe("firing");
    });

    test("setIfAbsent writes only a missing key, once among callers at the same moment; takeAll removes several keys of its channel", async () => {
      const db = await backend.open([channelStateMigrations]);
      const pd = createChannelState(db, "pd", () => 1);
      const other = createChannelState(db, "other", () => 1);
      // Two Stewards' triggers of one alert accepted at once: one open mark, one writer told it wrote it.
      expect((await Promise.all([pd.setIfAbsent("open:incident:1", "ev-a"), pd.setIfAbsent("open:incident:1", "ev-b")])).filter(Boolean)).toHaveLength(1);
      expect(["ev-a", "ev-b"]).toContain((await pd.get("open:incident:1"))!);
      await pd.set("open:incident:2", "ev-c");
      expect(await pd.setIfAbsent("open:incident:2", "ev-d")).toBe(false);
      expect(await pd.get("open:incident:2")).toBe("ev-c");
      await pd.set("acked:incident:1", "steward");
      await other.set("open:incident:1", "theirs");
      expect(await pd.takeAll(["open:incident:1", "acked:incident:1", "acked:incident:9"])).toBe(2);
      expect(await pd.takeAll([])).toBe(0);
      expect((await pd.entries("")).map((e) => e.key)).toEqual(["open:incident:2"]);
      expect(await other.get("open:incident:1")).toBe("theirs");
    });
  });
}

test("the in-memory state (previews, config check) answers setIfAbsent and takeAll as the store does", async () => {
  const m = memoryChannelState();
  expect(await m.setIfAbsent("open:1", "a")).toBe(true);
  expect(await m.setIfAbsent("open:1", "b")).toBe(false);
  expect(await m.get("open:1")).toBe("a");
  await m.set("acked:1", "steward");
  expect(await m.takeAll(["open:1", "acked:1", "acked:2"])).toBe(2);
  expect(await m.entries("")).toEqual([]);
});
