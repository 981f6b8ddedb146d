// "What started the run" in a failure's history: the QRS trigger that fired it (a schema trigger whose last event
// is the run's start) or the task chain (a task-event trigger whose upstream run just ended as it waits for),
// read from the simulator's QRS; a manual start stays the user's.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { IDS, SITE_YAML, startHarness, type Harness } from "../../hear/intake/harness";

const SITE = SITE_YAML.replace(
  "customProperties: { Department: Sales }, scriptError: \"Cannot open file: 'lib://Data/orders.qvd'\" }",
  `customProperties: { Department: Sales }, scriptError: "Cannot open file: 'lib://Data/orders.qvd'", triggers: [{ type: schema, name: Nightly at 02:00, incrementOption: daily, startDate: "2025-01-01T02:00:00.000", timeZone: UTC }] }`,
).replace(
  "tags: [Ops], customProperties: { Department: IT } }",
  "tags: [Ops], customProperties: { Department: IT }, triggers: [{ type: composite, name: After the sales reload, timeConstraint: { minutes: 30 }, rules: [{ task: Reload Sales dashboard, state: success }] }] }",
);

let dir: TempDir;
let h: Harness;

beforeAll(async () => {
  expect(SITE).toContain("Nightly at 02:00");
  expect(SITE).toContain("After the sales reload");
  dir = createTempDir("steward-started-by-");
  h = await startHarness({ dir: dir.path, site: SITE });
}, 60_000);

afterAll(async () => {
  await h?.close();
  dir?.remove();
});

const triggerId = (taskId: string) => h.sim.repo.tasks.get(taskId)!.model.triggers[0]!.id;

async function fireFailing(taskId: string): Promise<string> {
  await simControl(h.sim, "PATCH", `/tasks/${taskId}`, { outcome: "fail", durationMs: 60 });
  const before = new Set(h.events.map((e) => e.executionId));
  await simControl(h.sim, "POST", `/triggers/${triggerId(taskId)}/fire`);
  const e = await (async () => {
    for (let i = 0; i < 100; i++) {
      const found = h.events.find((x) => x.task.id === taskId && x.kind === "task.failed" && !before.has(x.executionId));
      if (found) return found;
      await Bun.sleep(100);
    }
    throw new Error(`no failure of ${taskId}`);
  })();
  return e.executionId;
}

test("a failure started by a schema trigger names the trigger", { timeout: 30_000 }, async () => {
  const id = await fireFailing(IDS.reload);
  const e = h.events.find((x) => x.executionId === id && x.kind === "task.failed")!;
  expect(e.history?.startedBy).toMatchObject({
    kind: "scheduler",
    trigger: { type: "schedule", name: "Nightly at 02:00" },
    text: 'the trigger "Nightly at 02:00"',
  });
});

test("a failure started by a task chain names the chain and the upstream run it followed", { timeout: 30_000 }, async () => {
  await simControl(h.sim, "PATCH", `/tasks/${IDS.reload}`, { outcome: "succeed", durationMs: 60 });
  await h.eventFor(await h.runWhenIdle(IDS.reload, "succeed"));
  const id = await fireFailing(IDS.externalProgram);
  const e = h.events.find((x) => x.executionId === id && x.kind === "task.failed")!;
  expect(e.history?.startedBy).toMatchObject({
    kind: "scheduler",
    trigger: { type: "chain", name: "After the sales reload", after: { task: "Reload Sales dashboard", outcome: "succeeded" } },
    text: 'the task chain "After the sales reload" (after "Reload Sales dashboard" succeeded)',
  });
});

test("a manual start stays the user's", { timeout: 30_000 }, async () => {
  const id = await h.runWhenIdle(IDS.userSync, "fail", { user: "CORP\\anna" } as never);
  const e = await h.eventFor(id);
  expect(e.history?.startedBy.kind).toBe("user");
  expect(e.history?.startedBy.trigger).toBeUndefined();
});
