// The report's failures by cause read from the stores the Stewards of a site share, on SQLite and PostgreSQL: the
// incidents' failed runs and the causes open during the span (issue 74). A node's queue backs up with Late 1 listed as
// waiting; Qlik cancels Wait 1 and Wait 2 (the queue's cause records their runs); the queue empties; Late 1 then fails
// for its own reason: it is a cause of its own, not the queue's.
import { afterAll, describe, expect, test } from "bun:test";
import { syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { bothBackends } from "../../../helpers/sql-backends";
import { at, NODE, openQueueCauseStores } from "./queue-cause-stores";

for (const backend of bothBackends()) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());

    test("the queue's cause holds its cancelled runs; the task it listed as waiting fails on its own and is its own cause", async () => {
      const { review, failed, backlog, reportsAtSix } = await openQueueCauseStores(backend);
      await backlog([1, 2, 3]);
      await review(await failed(1, "02:30", "queue"), "02:30");
      await review(await failed(2, "02:30", "queue"), "02:30");
      await review(syntheticWatchdogEvent("task.on_track", { host: NODE, condition: "queue_backlog", nowMs: at("02:32") }), "02:32");
      await review(await failed(3, "02:37"), "02:37");

      const reports = reportsAtSix();
      const r = await reports.summarize(at("02:00"), at("06:00"));
      expect(r.sections!.find((s) => s.title === "Failures by cause")!.lines.map((l) => l.text)).toEqual([
        "reload queue backed up on reload01 (2 failed runs, ended Tue 24 Nov 02:32): Wait 1, Wait 2; 1 more task held up",
        "Late 1 failed: script (1 failed run, still open)",
      ]);
      // A span that ends before the queue backed up holds neither.
      const before = await reports.summarize(at("01:00"), at("02:00"));
      expect(before.sections!.find((s) => s.title === "Failures by cause")!.lines).toEqual([]);
    }, 60_000);
  });
}
