// Issue 84, point 4: the cause numbers a person sees (#7 on a page, /ui/causes#cause-7) have no unexplained gaps. On
// PostgreSQL every symptom joining an open cause tried to open one first (INSERT … ON CONFLICT DO NOTHING), and each
// try took a number from the sequence: after 20 symptoms of cause #1 the next cause was #21. On both stores the next
// cause is the next number.
import { afterAll, describe, expect, test } from "bun:test";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends)
  describe(backend.name, () => {
    test("twenty symptoms joining one cause take no cause numbers: the next cause is the next number", async () => {
      const store = createCauseStore(await backend.open([groupingMigrations]));
      const cause = { key: "source:dwh", title: "connection errors from DWH" };
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) {
        const { parentId } = await store.attach(cause, { subject: `task:t${i}`, kind: "task.failed", eventId: `e${i}`, taskName: `Load ${i}` }, 1_000 + i);
        ids.push(parentId);
      }
      expect(new Set(ids).size).toBe(1);
      const next = await store.attach(
        { key: "node:sense3", title: "Qlik services down on sense3" },
        { subject: "service:sense3|x", kind: "service.stopped", eventId: "s" },
        2_000,
      );
      expect(next).toEqual({ parentId: ids[0]! + 1, opened: true });
    }, 60_000);
  });
