// Issue 105: [queue] rules rehearsed end to end on a queue the simulator's Scheduler really filled, on SQLite and on
// PostgreSQL. The night of rerun-preview.test.ts: on Tuesday node Reload01 runs two reloads at once; at 01:50 two admin
// reloads (100 and 130 min) take both engines until 03:30; Extract orders and Load Sales (after Extract orders), due at
// 02:00, wait in the queue and Qlik cancels them at 02:20. The config in force (A) pages the backlog to the person on
// duty and has no remediation rule; its routes take neither the cancelled runs' failures nor the drain. Rehearsed on A's
// night, a config (B) that sends the backlog to the team lead instead and re-runs what the queue cancelled ([queue]
// rule) lists: the backlog's page moved, Extract orders re-run at the recorded drain on reload01, and Load Sales asked
// for and not needed (Extract orders' success triggers it before its turn). The same night run live with B pages the
// lead once, asks for both re-runs, starts Extract orders and skips Load Sales's, as rehearsed; the Noise page's
// rehearsal in Chromium says the same. Before, events no route took were not recorded (no cancelled run to re-run, no
// drain to re-run it at); and the rehearsal listed Load Sales as a start the live Steward never made (failed before:
// two starts rehearsed, one made).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { DomainEvent, WatchdogEvent } from "../../../../src/platform/events/types";
import type { Rehearsal } from "../../../../src/show/rehearse/types";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { closeAll, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { after, at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { launchChromium } from "../dashboard/chromium";

const EXTRACT = "f6ee0000-0000-4000-8000-000000000001";
const SALES = "f6ee0000-0000-4000-8000-000000000002";
const SITE = reloadQueueSiteYaml({
  name: "Rehearsed queue night",
  engines: 4,
  engineTimeout: 20,
  apps: ["Admin long 1", "Admin long 2", "Extract orders", "Load Sales"],
  tasks: [
    reloadTask("Admin long 1", 100, [daily("01:50")]),
    reloadTask("Admin long 2", 130, [daily("01:50")]),
    reloadTask("Extract orders", 5, [daily("02:00")], `, id: ${EXTRACT}`),
    reloadTask("Load Sales", 5, [daily("02:00"), after("Extract orders")], `, id: ${SALES}`),
  ],
});

const channels = (port: number) => {
  const mail = (to: string) => `{ type: email, smtp: { host: 127.0.0.1, port: ${port}, security: none }, from: steward@corp.example, to: [${to}] }`;
  return `channels:\n  oncall-mail: ${mail("oncall@corp.example")}\n  lead-mail: ${mail("lead@corp.example")}\n`;
};
const CURRENT = "routes:\n  - { name: queue, on: [scheduler.queue_backlog], to: [oncall-mail] }\n";
const NEW = `routes:
  - { name: queue, on: [scheduler.queue_backlog], to: [lead-mail] }
remediation:
  engineWait: 2h   # the engines free at 03:30, 69 minutes after the drain: past the default hour (engine-wait-limit.test.ts)
  rules:
    - { name: rerun-queue, errorClasses: [queue] }
`;

interface Night {
  s: SteppedSite;
  t: TestApp;
  smtp: SmtpReceiver;
  events: Array<{ at: number; e: DomainEvent }>;
}

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

/** The Tuesday night on a site of its own, with `routes` (and rules) in force, to 04:30; on PostgreSQL, a database of its own. */
const ADMIN = generateApiKey();

/** The night's Steward serves the dashboard on `port`, to an admin's key. */
const dashboardOn = (port: number) => `http: { host: 127.0.0.1, port: ${port} }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(ADMIN)}", scopes: [admin, read] }
`;

/** The Noise page's rehearsal in Chromium: the new config pasted, the last week, its summary line. */
async function rehearsedOnDashboard(port: number, config: string): Promise<string> {
  const browser = await launchChromium({ timezoneId: "UTC" });
  try {
    const page = browser.page;
    await page.goto(`http://127.0.0.1:${port}/ui/login?next=${encodeURIComponent("/ui/noise")}`);
    await page.fill("#api-key", ADMIN);
    await page.click("#login button[type=submit]");
    await page.waitForSelector("#rehearse-form");
    await page.fill("#rehearse-config", config);
    await page.selectOption("#rehearse-since", "1w");
    await page.click('button[data-action="rehearse"]');
    await page.waitForSelector('#rehearse-result [data-role="rehearse-summary"]', { timeout: 60_000 });
    return (await page.locator('[data-role="rehearse-summary"]').textContent()) ?? "";
  } finally {
    await browser.close();
  }
}

async function night(dir: string, backend: Backend, name: string, routes: string): Promise<Night> {
  const smtp = await startSmtpReceiver();
  // The simulator alone from the Thursday before, with four engines; Tuesday night Reload01 runs two.
  const s = await startSteppedSite(join(dir, name), Date.parse("2026-02-26T00:00:00Z"), SITE);
  await s.clock.runUntil(at("01:00"));
  await simControl(s.sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 2 });
  const url = backend === "postgres" ? await (pg ??= await startPostgres()).createDatabase(`rehearse_queue_${name}`) : "";
  const store = url ? `store:\n  postgres: { url: "${url}", leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }\n` : "";
  const { t, events } = await startStewardOnSite(s, join(dir, name), `${store}${QUIET_LOOKS}${channels(smtp.port)}${routes}`, at("01:30"));
  await s.clock.runUntil(at("04:30"));
  return { s, t, smtp, events };
}

type Backend = "sqlite" | "postgres";

/** When the watchdog saw Reload01's queue drain (the backlog's task.on_track). */
function drainOf(n: Night): number {
  const drain = n.events.find(
    ({ e }) => e.kind === "task.on_track" && (e as WatchdogEvent).condition.type === "queue_backlog" && (e as WatchdogEvent).host.includes("reload01"),
  );
  if (!drain) throw new Error("the queue's drain was not seen");
  return drain.at;
}

/** The backlog's pages (its all-clear is no page). */
const pagesTo = (n: Night, to: string) => n.smtp.mails.filter((m) => m.envelopeTo.includes(to) && (m.mail.subject ?? "").includes("[Open: cause")).length;

for (const backend of ["sqlite", "postgres"] as const)
  describe(`a rehearsed queue night (${backend})`, () => {
    const dir = createTempDir(`steward-rehearse-queue-${backend}-`);
    let a: Night | undefined;
    let b: Night | undefined;
    let rehearsal: Rehearsal | undefined;
    let status = 0;
    /** The dashboard's summary of the same rehearsal. */
    let summary = "";

    beforeAll(async () => {
      const port = await freeTcpPort();
      a = await night(dir.path, backend, "a", `${dashboardOn(port)}${CURRENT}`);
      const r = await a.t.request("/v4/config/rehearse", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": ADMIN },
        body: JSON.stringify({ config: `${channels(a.smtp.port)}${NEW}`, since: "1d" }),
      });
      status = r.status;
      rehearsal = (await r.json()) as Rehearsal;
      summary = await rehearsedOnDashboard(port, `${channels(a.smtp.port)}${NEW}`);
      b = await night(dir.path, backend, "b", NEW);
    }, 300_000);

    afterAll(async () => {
      for (const n of [a, b]) {
        await closeAll(n?.t, n?.s.sim, { remove: () => undefined } as never);
        await n?.smtp.stop();
      }
      dir.remove();
    });

    test("the backlog's page moves from the person on duty to the lead, as the night run with the new config sent it", () => {
      expect(status).toBe(200);
      expect(pagesTo(a!, "oncall@corp.example")).toBe(1);
      expect(pagesTo(b!, "lead@corp.example")).toBe(1);
      expect([...rehearsal!.channels].sort((x, y) => x.channel.localeCompare(y.channel))).toEqual([
        { route: "queue", channel: "lead-mail", current: 0, rehearsed: pagesTo(b!, "lead@corp.example") },
        { route: "queue", channel: "oncall-mail", current: 1, rehearsed: pagesTo(b!, "oncall@corp.example") },
      ]);
      expect(rehearsal!.pages).toEqual({ current: 1, rehearsed: 1 });
    });

    test("the [queue] rule re-runs Extract orders once, on reload01, at the queue's recorded drain; Load Sales is asked for and not needed", () => {
      // Qlik cancelled both at 02:20, which emptied the queue: the drain the watchdog saw.
      const drain = drainOf(a!);
      expect(drain).toBeGreaterThanOrEqual(at("02:20"));
      expect(rehearsal!.remediation.current).toEqual([]);
      expect(rehearsal!.remediation.rehearsed.map((r) => [r.rule, r.taskName, r.at, r.node?.toLowerCase().startsWith("reload01")])).toEqual([
        ["rerun-queue", "Extract orders", new Date(drain).toISOString(), true],
      ]);
      for (const r of rehearsal!.remediation.rehearsed) expect(Date.parse(r.failedAt)).toBeGreaterThanOrEqual(at("02:20"));
      // Its turn comes after Extract orders' re-run ended, whose success triggers it (the chain the watchdog read).
      expect(rehearsal!.remediation.notNeeded).toEqual([
        {
          rule: "rerun-queue",
          taskName: "Load Sales",
          at: new Date(drain).toISOString(),
          why: "the task ran since the re-run was asked for (run after the rehearsed re-run of Extract orders: its trigger or its chain started it): not started again",
        },
      ]);
      expect(rehearsal!.remediation.refused).toEqual([]);
      // The Noise page says the same: one start, and Load Sales asked for and not needed.
      expect(summary).toContain(
        "0 automatic starts now, 1 with the new one (0 refused by a budget or a quiet window; 1 asked for and not needed, their task having run since: Load Sales).",
      );
      // The drain and the cancelled runs were kept, though no route of the config in force took them; nothing is missing.
      expect(rehearsal!.notes).toEqual([]);
    });

    test("the night run with the new config asks for the same two re-runs at the same drain, starts Extract orders once an engine frees and skips Load Sales's", async () => {
      const rows = await b!.t.app.sharedStore.sql.all<{ task_name: string; requested_at: number; status: string; outcome: string | null }>(
        "SELECT task_name, requested_at, status, outcome FROM remediation_actions WHERE requested_from = 'rule' ORDER BY task_name",
      );
      // The same night: its queue drained at the same minute.
      expect(drainOf(b!)).toBe(drainOf(a!));
      const asked = (r: { taskName: string; at: string }) => [r.taskName, r.at];
      expect(rows.map((r) => [r.task_name, new Date(Number(r.requested_at)).toISOString()])).toEqual(
        [...rehearsal!.remediation.rehearsed.map(asked), ...rehearsal!.remediation.notNeeded.map(asked)].sort((x, y) => x[0]!.localeCompare(y[0]!)),
      );
      // Live, the re-run found not needed is the rehearsal's: Load Sales ran by its chain's trigger before its turn.
      expect(rows.filter((r) => r.status === "skipped").map((r) => [r.task_name, r.outcome])).toEqual(
        rehearsal!.remediation.notNeeded.map((r) => [r.taskName, "not needed"]),
      );
      // Steward starts the head when an engine frees at 03:30, and nothing else: the rehearsal's one start.
      const starts = b!.s.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => /\/task\/[^/]+\/start/i.test(r.path));
      expect(starts.map((r) => [r.path.toLowerCase().includes(EXTRACT), r.time])).toEqual([[true, new Date(at("03:30")).toISOString()]]);
      expect(rehearsal!.remediation.rehearsed.map((r) => r.taskId)).toEqual([EXTRACT]);
      expect(b!.s.finished.filter((r) => r.task === "Load Sales" && r.stopMs >= at("03:30"))).toHaveLength(1);
    });
  });
