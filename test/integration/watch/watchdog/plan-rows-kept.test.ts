// What the watchdog's plan keeps between reads: the QRS rows it merges later changes into, without each task's last
// run (operational.lastExecutionResult and its messages), which QRS sends with every task and the plan never reads.
// On a site of a thousand tasks those last runs were the largest part of the plan in memory (issue 57).
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { z } from "zod";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { readPlan } from "../../../../src/watch/watchdog/qrs-plan";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simCertDir } from "../../../helpers/sim-certs";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const dir = createTempDir();
let sim: Simulator | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, sim, dir));

test("the plan keeps every task's row without its last run, and the plan is whole", async () => {
  sim = await startSimulator({ certDir: simCertDir(join(dir.path, "sim-certs")), qrsPort: 0, enginePort: 0, controlPort: 0, versionPort: 0, schedules: false });
  t = createTestApp(qlikYaml(sim), { dir: join(dir.path, "steward") });
  const qrs = t.app.qrs!;
  // One task runs to its end, so QRS has a last run (with messages) to send with it.
  const tasks = (await simControl(sim, "GET", "/tasks")) as Array<{ id: string; name: string; taskType?: number }>;
  const ran = tasks[0]!;
  sim.tasks.start(ran.id, { outcome: "succeed", durationMs: 50 });
  const lastRun = async () => {
    const rows = (await qrs.getJson("reloadtask/full", z.array(z.looseObject({ id: z.string(), operational: z.unknown() })))) as Array<{
      id: string;
      operational?: { lastExecutionResult?: { details?: unknown[] } | null } | null;
    }>;
    return rows.find((r) => r.id === ran.id)?.operational?.lastExecutionResult;
  };
  await waitFor(async () => ((await lastRun())?.details?.length ?? 0) > 0, { timeoutMs: 20_000, what: "QRS sending the task's last run" });

  const plan = await readPlan(qrs, Date.now());
  const kept = plan.rows.taskLists.flat() as Array<{ id: string; name: string; operational?: Record<string, unknown> | null }>;
  expect(kept.map((r) => r.id)).toContain(ran.id);
  expect(kept.length).toBeGreaterThan(10);
  for (const row of kept) expect(row.operational?.lastExecutionResult).toBeUndefined();
  // The plan built from those rows still has a task for each of them, the one that ran among them.
  expect(plan.tasks.size).toBe(kept.length);
  expect(plan.tasks.has(ran.id)).toBe(true);
}, 60_000);
