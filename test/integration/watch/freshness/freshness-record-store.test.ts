// The promise's record (issue 106) on both back ends (SQLite file, PostgreSQL): one judgement per promise, app and
// deadline, whichever of two Stewards sharing the store writes it first; a late day's "fresh again" is kept once (the
// first said wins) and never turns an on-time day late; the last 30 days read back as /status counts them; the days
// older than the record shows are pruned.
import { afterAll, describe, expect, test } from "bun:test";
import { freshnessMigrations } from "../../../../src/watch/freshness/freshness-store";
import { createRecordStore } from "../../../../src/watch/freshness/record-store";
import { promiseRecord } from "../../../../src/show/status/promise-record";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const at = (s: string) => Date.parse(s);
const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c21";

for (const backend of backends) {
  describe(`the record on ${backend.name}`, () => {
    test("two Stewards judging one deadline keep one row; fresh again is kept once; the counts read back", async () => {
      const db = await backend.open([freshnessMigrations]);
      const a = createRecordStore(db);
      const b = createRecordStore(db);
      const day = (d: string) => at(`2026-11-${d}T07:00:00Z`);
      for (const d of ["20", "21", "23", "24"]) await a.judged({ promise: "sales", appId: APP, deadlineMs: day(d), late: false, freshMs: day(d) - 3_600_000 });
      // Sunday the 22nd is late: both judges see it; the second's words do not replace the first's.
      await a.judged({ promise: "sales", appId: APP, deadlineMs: day("22"), late: true, cause: "the data it is loaded from has not arrived yet" });
      await b.judged({ promise: "sales", appId: APP, deadlineMs: day("22"), late: true, cause: "the loads before it ran late" });
      await b.judged({ promise: "sales", appId: APP, deadlineMs: day("23"), late: true, cause: "its last load failed" });
      await a.freshAgain("sales", APP, day("22"), day("22") + 150 * 60_000);
      await b.freshAgain("sales", APP, day("22"), day("22") + 200 * 60_000);
      await b.freshAgain("sales", APP, day("23"), day("23") + 60_000);
      const days = await b.since(at("2026-11-01T00:00:00Z"));
      expect(days.map((d) => [new Date(d.deadlineMs).getUTCDate(), d.late])).toEqual([
        [20, false],
        [21, false],
        [22, true],
        [23, false],
        [24, false],
      ]);
      const r = promiseRecord("sales", days, at("2026-11-24T12:00:00Z"), "UTC");
      expect(r.last30).toEqual({ fresh: 4, judged: 5 });
      expect(r.late).toEqual([
        {
          deadline: "2026-11-22T07:00:00.000Z",
          day: "Sun 22 Nov",
          freshAt: "2026-11-22T09:30:00.000Z",
          lateMinutes: 150,
          cause: "the data it is loaded from has not arrived yet",
        },
      ]);
      expect(r.bar.slice(-5).map((d) => `${d.date} ${d.state}`)).toEqual([
        "2026-11-20 fresh",
        "2026-11-21 fresh",
        "2026-11-22 late",
        "2026-11-23 fresh",
        "2026-11-24 fresh",
      ]);
      // Older than the record shows: pruned; the rest stays.
      await a.prune(day("22"));
      expect((await b.since(0)).map((d) => new Date(d.deadlineMs).getUTCDate())).toEqual([22, 23, 24]);
      await db.close();
    }, 60_000);
  });
}
