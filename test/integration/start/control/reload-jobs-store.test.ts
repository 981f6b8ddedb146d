// Reload jobs on both store back ends: a restarted Steward marks its own unfinished jobs interrupted, and in a
// cluster only the jobs of Stewards that are gone — never a job another live Steward is running.
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { controlMigrations, createReloadJobStore, type ReloadJob } from "../../../../src/start/control/reload-jobs";
import { bothBackends } from "../../../helpers/sql-backends";

const job = (id: string): ReloadJob => ({
  jobId: id,
  appId: "app",
  status: "running",
  phase: "reloading",
  request: { reloadMode: 0, partialReload: false, startQSEoWTaskOnSuccess: [], startQSEoWTaskOnFailure: [] },
  requestedBy: { kind: "apiKey", name: "etl" },
  createdAt: `2026-01-01T00:00:0${id.length}.000Z`,
  scriptLogTail: [],
});

for (const backend of bothBackends()) {
  describe(`reload jobs on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());

    test("only jobs of Stewards that are gone are interrupted", async () => {
      const db = await backend.open([controlMigrations]);
      const clock = createManualClock(Date.parse("2026-01-01T01:00:00Z"));
      const dead = createReloadJobStore(db, clock, "dead");
      const live = createReloadJobStore(db, clock, "live");
      const me = createReloadJobStore(db, clock, "me");
      await dead.insert(job("d"));
      await live.insert(job("li"));
      expect(await me.markInterrupted("Steward stopped", ["live", "me"])).toBe(1);
      expect((await me.get("d"))?.status).toBe("interrupted");
      expect((await me.get("li"))?.status).toBe("running");
      // A single Steward on its own store: every unfinished job is its own from before the restart.
      expect(await me.markInterrupted("Steward stopped", [])).toBe(1);
      expect((await me.list({})).map((j) => j.status)).toEqual(["interrupted", "interrupted"]);
    });
  });
}
