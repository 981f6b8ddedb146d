// The morning report's handover read from the stores the Stewards of a site share, on SQLite and PostgreSQL (issue 88):
// a node's queue backs up and stays backed up; Qlik cancels Wait 1 and Wait 2 (the queue's cause holds their
// incidents). The handover names the cause once, with the task incidents it holds and nobody holding it; once
// someone acknowledges the cause, it says who, and since when.
import { afterAll, describe, expect, test } from "bun:test";
import { createCauseAcknowledger } from "../../../../src/tell/grouping/cause-acknowledge";
import { bothBackends } from "../../../helpers/sql-backends";
import { at, openQueueCauseStores } from "./queue-cause-stores";

for (const backend of bothBackends()) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());

    test("an open cause is one line with the incidents it holds, and who holds it once acknowledged", async () => {
      const { db, clock, causeStore, review, failed, backlog, reportsAtSix } = await openQueueCauseStores(backend);
      await backlog([1, 2]);
      await review(await failed(1, "02:30", "queue"), "02:30");
      await review(await failed(2, "02:30", "queue"), "02:30");

      const reports = reportsAtSix();
      const handover = async () => (await reports.summarize(at("02:00"), at("06:00"))).sections!.find((s) => s.title === "Handover")!.lines.map((l) => l.text);
      const [cause] = await causeStore.list({ status: "open", limit: 5 });
      expect(await handover()).toEqual([
        "1 open incident (1 that nobody holds); 0 snoozes ending in the next 24 hours",
        `Cause #${cause!.id}: reload queue backed up on reload01 (open since Tue 24 Nov 02:15, holds 2 task incidents): nobody holds it`,
      ]);
      clock.set(at("06:10"));
      expect(await createCauseAcknowledger(db).acknowledge(cause!.id, "Anna Svensson (channel:ops-chat)", "on it", clock.now())).toBeDefined();
      expect(await handover()).toEqual([
        "1 open incident (0 that nobody holds); 0 snoozes ending in the next 24 hours",
        `Cause #${cause!.id}: reload queue backed up on reload01 (open since Tue 24 Nov 02:15, holds 2 task incidents): held by Anna Svensson (channel:ops-chat) since Tue 24 Nov 06:10`,
      ]);
    }, 60_000);
  });
}
