// Runs no datagram announced, found together by a reconciliation pass: the task, app and owner of the same task are
// read once for the pass, not once per run.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "./harness";

let tmp: TempDir;
let h: Harness;

beforeAll(async () => {
  tmp = createTempDir();
  h = await startHarness({ dir: tmp.path });
});

afterAll(async () => {
  await h?.close();
  tmp?.remove();
});

test("five missed failures of one task cost one task, app and owner read in a reconciliation pass", async () => {
  await h.startPassEnded();
  h.sim.settings.udp.targets = [];
  const runs: string[] = [];
  for (let i = 0; i < 5; i++) runs.push(await h.runWhenIdle(IDS.reload, "fail"));
  await waitFor(() => !h.sim.tasks.isRunning(IDS.reload), { what: "the last run to end" });
  const seq = h.sim.requests.list({ source: "qrs" }).at(-1)?.seq ?? 0;
  const pass = await h.t.app.intake.reconciler!.runOnce();
  expect(pass?.emitted).toBe(5);
  const events = await Promise.all(runs.map((id) => h.eventFor(id)));
  for (const e of events) {
    expect(e).toMatchObject({ kind: "task.failed", source: "reconcile", complete: true });
    expect(e.app?.owner).toMatchObject({ userId: "anna", emails: ["anna.svensson@corp.example"] });
    expect(e.scriptLog?.tail.join("\n")).toContain("Cannot open file");
  }
  const sent = h.sim.requests.list({ source: "qrs", sinceSeq: seq });
  const count = (path: string) => sent.filter((r) => r.path === path).length;
  expect(count("/qrs/task/full")).toBe(1);
  expect(count("/qrs/app/full")).toBe(1);
  expect(count("/qrs/user/full")).toBe(1);
});
