// A graceful stop that cannot wait for a slow enrichment: the run must not be emitted once the app has stopped
// (the notifier is gone by then, so the alert would reach nobody yet count as handled); reconciliation emits it
// once at the next start.
import { afterEach, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "./harness";
import { wallLimit } from "../../../helpers/time-limit";

let tmp: TempDir | undefined;
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  tmp?.remove();
});

test("a run still being enriched when the app stops is left to reconciliation, not emitted late", { timeout: wallLimit(20_000) }, async () => {
  tmp = createTempDir();
  h = await startHarness({ dir: tmp.path, intake: { enrichment: { lookupTimeoutMs: 5_000 } } });
  const fault = h.sim.faults.add({ target: "qrs", pathContains: "task/full", delayMs: 1_500, count: 1 }, Date.now());
  const exec = h.run(IDS.userSync, "fail");
  await waitFor(() => fault.hits === 1, { what: "the task lookup to hang" });

  await h.t.app.stop(300);
  // The lookup answers after the stop; the enrichment completes, but nothing may come out of it.
  await Bun.sleep(2_000);
  expect(h.events.filter((e) => e.executionId === exec)).toEqual([]);

  await h.restart();
  const e = await h.eventFor(exec);
  expect(e).toMatchObject({ kind: "task.failed", source: "reconcile", complete: true });
  await Bun.sleep(200);
  expect(h.events.filter((x) => x.executionId === exec)).toHaveLength(1);
});
