// Two Stewards on one PostgreSQL: each run is handled by one of them, and both dashboards show the whole site —
// the timeline (each entry naming the Steward that handled it), the overview's counts and the task's run history.
// A Steward started later catches up with what happened before it, and a restart takes nothing twice.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launchChromium } from "./chromium";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";
import { waitFor } from "../../../helpers/wait-for";

let pg: PostgresService;
let url: string;
const dirs: TempDir[] = [];
const apps: TestApp[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("cluster_dashboard");
});

afterAll(async () => {
  for (const a of apps) await a.close().catch(() => undefined);
  await pg?.stop();
  for (const d of dirs) d.remove();
});

async function steward(name: string, dir?: TempDir): Promise<TestApp> {
  const d = dir ?? createTempDir(`steward-${name}-`);
  if (!dir) dirs.push(d);
  const t = createTestApp(`store:\n  postgres: { url: ${JSON.stringify(url)}, instanceName: ${name}, leaseTtlMs: 2000, heartbeatIntervalMs: 500 }\n`, {
    dir: d.path,
  });
  await t.app.start();
  apps.push(t);
  return t;
}

const html = async (t: TestApp, path: string) => (await t.request(path, { headers: { accept: "text/html" } })).text();
const TASK = "5d9c8a1e-0c4b-4f61-9d2e-8a7b6c5d4e3f";

test("each Steward's pages show the runs the other handled, labelled with the Steward", { timeout: wallLimit(60_000) }, async () => {
  const a = await steward("node-a");
  const b = await steward("node-b");
  const runs = [
    { via: a, outcome: "failed" as const },
    { via: b, outcome: "succeeded" as const },
    { via: a, outcome: "succeeded" as const },
  ];
  for (const [i, r] of runs.entries()) {
    const e = syntheticTaskEvent({ outcome: r.outcome, taskName: "Nightly sales" });
    const event = {
      ...e,
      id: `${crypto.randomUUID()}:${r.outcome}`,
      executionId: crypto.randomUUID(),
      task: { ...e.task, id: TASK },
      execution: { ...e.execution!, stopTime: new Date(Date.now() - (3 - i) * 1000).toISOString() },
    };
    await r.via.app.bus.emit(`task.${r.outcome}`, event);
  }
  for (const t of [a, b]) {
    await waitFor(() => t.app.dashboard.timeline.entries().filter((x) => x.event.kind.startsWith("task.")).length >= 3 || undefined, {
      what: "three runs on each timeline",
      timeoutMs: 10_000,
    });
    const handled = t.app.dashboard.timeline.entries().map((x) => x.steward);
    expect(handled.filter((s) => s === "node-a").length).toBe(2);
    expect(handled.filter((s) => s === "node-b").length).toBe(1);
    const events = await html(t, "/ui/events");
    expect(events).toContain("handled by node-a");
    expect(events).toContain("handled by node-b");
    const overview = await html(t, "/ui");
    expect(overview).toMatch(/<b[^>]*>1<\/b><span>failed tasks<\/span>/);
    expect(overview).toMatch(/<b[^>]*>2<\/b><span>succeeded tasks<\/span>/);
    const task = await html(t, `/ui/tasks/${TASK}`);
    expect(task).toContain('data-runs="3"');
  }
  // In a browser, on the PostgreSQL store, light and dark: the other Steward's runs are there, and the pages pass
  // the accessibility check as on SQLite.
  const browser = await launchChromium();
  try {
    const axe = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    for (const scheme of ["light", "dark"] as const) {
      await browser.page.emulateMedia({ colorScheme: scheme });
      for (const path of ["/ui", "/ui/events", `/ui/tasks/${TASK}`]) {
        await browser.page.goto(`${b.app.server!.url()}${path}`);
        await browser.page.evaluate(axe);
        const serious = (await browser.page.evaluate(async () => {
          const r = await (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string | null }> }> } }).axe.run();
          return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
        })) as string[];
        expect({ scheme, path, serious }).toEqual({ scheme, path, serious: [] });
      }
      await browser.page.goto(`${b.app.server!.url()}/ui/events`);
      expect(await browser.page.locator("ul.timeline").textContent()).toContain("handled by node-a");
    }
  } finally {
    await browser.close();
  }

  // A Steward that joins later shows what happened before it; after a restart it takes nothing twice.
  const cDir = createTempDir("steward-node-c-");
  dirs.push(cDir);
  const c = await steward("node-c", cDir);
  await waitFor(() => c.app.dashboard.timeline.entries().filter((x) => x.event.kind.startsWith("task.")).length >= 3 || undefined, {
    what: "node-c to catch up",
    timeoutMs: 10_000,
  });
  await c.close().catch(() => undefined);
  apps.splice(apps.indexOf(c), 1);
  const again = await steward("node-c", cDir);
  await Bun.sleep(1_500);
  expect(again.app.dashboard.timeline.entries().filter((x) => x.event.kind.startsWith("task.")).length).toBe(3);
  expect(await html(again, `/ui/tasks/${TASK}`)).toContain('data-runs="3"');
});
