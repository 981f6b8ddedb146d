// Issue 105: the dashboard's "Restart the chain from it" asks before it starts, with the chain's preview, in a real
// browser, on SQLite and on PostgreSQL. The night of chain-reload-preview.test.ts (simulator, stepped clock, five nights of four engines for the
// watchdog to learn the tasks' usual durations): on Tuesday Reload01 runs two reloads at once; Load Sales (after
// Extract orders, 01:00) fails at 01:05; at 01:50 two admin reloads (100 and 130 min) take both engines until 03:30; a
// promise says the Load Sales app is fresh by 07:00. At 02:00 Chromium signs in, opens Load Sales's task page and
// presses the incident's restart button from Extract orders: the question names the node and its wait, Extract orders
// then Load Sales after it, and Sales fresh at about 03:40 if approved now. Cancelled, nothing is asked for and nothing
// starts; confirmed, the action is recorded once and Steward starts Extract orders once through QRS when an engine frees
// (Qlik's trigger starts Load Sales after it).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { closeAll, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { after, at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";

const EXTRACT = "c6ef0000-0000-4000-8000-000000000001";
const SALES = "c6ef0000-0000-4000-8000-000000000002";
const SITE = reloadQueueSiteYaml({
  name: "Chain restarted from the dashboard",
  engines: 4,
  engineTimeout: 20,
  apps: ["Admin long 1", "Admin long 2", "Extract orders", "Load Sales"],
  tasks: [
    reloadTask("Admin long 1", 100, [daily("01:50")]),
    reloadTask("Admin long 2", 130, [daily("01:50")]),
    reloadTask("Extract orders", 5, [daily("01:00")], `, id: ${EXTRACT}`),
    reloadTask("Load Sales", 5, [after("Extract orders")], `, id: ${SALES}, scriptError: "Field 'OrderDate' not found"`),
  ],
});

const OPS = generateApiKey();
let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

for (const backend of ["sqlite", "postgres"] as const)
  describe(`the dashboard's chain restart (${backend})`, () => {
    const dir = createTempDir(`steward-chain-restart-browser-${backend}-`);
    let s: SteppedSite | undefined;
    let t: TestApp | undefined;
    let browser: TestBrowser | undefined;
    let page: Page;
    let incidentId = 0;
    /** The dashboard's question, cancelled and then confirmed. */
    const asked = { cancelled: "", confirmed: "" };
    let actionsAfterCancel: unknown[] = [];
    let startsAfterCancel: unknown[] = [];
    let actionsConfirmed: Array<{ kind?: string; taskName?: string; requestedBy?: string }> = [];

    const asOps = (path: string) => t!.request(path, { headers: { "x-api-key": OPS } });
    const qrsStarts = (taskId?: string) =>
      s!.sim.requests
        .list({ source: "qrs", method: "POST" })
        .filter((r) => /\/task\/[^/]+\/start/i.test(r.path) && (taskId === undefined || r.path.toLowerCase().includes(taskId)));

    /** Presses the incident's restart button from Extract orders; the question is answered with `accept`. */
    async function pressRestart(accept: boolean): Promise<string> {
      let message = "";
      page.once("dialog", (d) => {
        message = d.message();
        void (accept ? d.accept() : d.dismiss());
      });
      await page.selectOption("select[data-chain-task]", EXTRACT);
      await page.click('button[data-action="restart-chain"]');
      await waitFor(() => message || undefined, { what: "the dashboard's question" });
      return message;
    }

    beforeAll(async () => {
      const port = await freeTcpPort();
      // The simulator alone from the Thursday before, with four engines: five nights for the watchdog to learn from.
      s = await startSteppedSite(dir.path, Date.parse("2026-02-26T00:00:00Z"), SITE);
      const { sim, clock } = s;
      await clock.runUntil(at("00:30"));
      await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 2 });
      await simControl(sim, "PATCH", `/tasks/${SALES}`, { outcome: "fail" });
      const url = backend === "postgres" ? await (pg ??= await startPostgres()).createDatabase("chain_restart_browser") : "";
      const store = url ? `store:\n  postgres: { url: "${url}", leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }\n` : "";
      ({ t } = await startStewardOnSite(
        s,
        dir.path,
        `${store}http: { host: 127.0.0.1, port: ${port} }
${QUIET_LOOKS.replace("grouping:\n", "grouping:\n  enabled: false\n")}remediation: { links: [reload, chain], engineWait: 2h }   # the engines free at 03:30, past the default hour after the ask
security:
  apiKeys:
    - { name: key-ops, hash: "${hashApiKey(OPS)}", scopes: [tasks, read] }
freshness:
  promises:
    sales-morning: { appNames: [Load Sales app], freshBy: "07:00", timeZone: UTC }
`,
        at("00:40"),
      ));
      await clock.runUntil(at("02:00"));
      const { incidents } = (await (await asOps("/v4/incidents?status=open")).json()) as { incidents: Array<{ id: number; title: string }> };
      incidentId = incidents.find((i) => i.title === "Load Sales")?.id ?? 0;
      browser = await launchChromium({ timezoneId: "UTC" });
      page = browser.page;
      await page.goto(`http://127.0.0.1:${port}/ui/login?next=${encodeURIComponent(`/ui/tasks/${SALES}`)}`);
      await page.fill("#api-key", OPS);
      await page.click("#login button[type=submit]");
      await page.waitForSelector('button[data-action="restart-chain"]');
      asked.cancelled = await pressRestart(false);
      actionsAfterCancel = ((await (await asOps(`/v4/incidents/${incidentId}/actions`)).json()) as { actions: unknown[] }).actions;
      await clock.runUntil(at("02:10"));
      startsAfterCancel = qrsStarts();
      asked.confirmed = await pressRestart(true);
      await waitFor(
        async () => {
          const { actions } = (await (await asOps(`/v4/incidents/${incidentId}/actions`)).json()) as { actions: typeof actionsConfirmed };
          return actions.length > 0 ? (actionsConfirmed = actions) : undefined;
        },
        { what: "the confirmed restart's action" },
      );
      // An engine frees at 03:30: the head starts then.
      await clock.runUntil(at("04:00"));
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await closeAll(t, s?.sim, dir);
    });

    test("the question shows the node's wait, the chain's tasks in order and Sales fresh at about 03:40 before anything starts", () => {
      expect(incidentId).toBeGreaterThan(0);
      expect(asked.cancelled).toContain("Start Extract orders now? Qlik's triggers run the rest of the chain after it.");
      expect(asked.cancelled).toMatch(/If you confirm now:\nOn reload01[^:]*: waiting for a free engine on reload01[^:]*: 2 of 2 busy\.\n/);
      expect(asked.cancelled).toContain(
        [
          "1. Extract orders",
          "2. Load Sales (after Extract orders has ended)",
          "sales-morning fresh at about 2026-03-03 03:40 UTC if approved now (not expected without it)",
        ].join("\n"),
      );
    });

    test("Cancel asks for nothing and starts nothing: no action, no start through QRS", () => {
      expect(actionsAfterCancel).toEqual([]);
      // The admin reloads and the 01:00 chain were started by the simulator's own Scheduler, not through QRS.
      expect(startsAfterCancel).toEqual([]);
    });

    test("Confirm, with the same question, records the restart once and starts Extract orders once when an engine frees", () => {
      expect(asked.confirmed).toBe(asked.cancelled);
      expect(actionsConfirmed).toHaveLength(1);
      expect(actionsConfirmed[0]).toMatchObject({ taskName: "Extract orders" });
      expect(qrsStarts(EXTRACT)).toHaveLength(1);
      // Load Sales follows by Qlik's own trigger, not by a start of Steward's.
      expect(qrsStarts(SALES)).toEqual([]);
      expect(s!.finished.filter((r) => r.task === "Extract orders" && r.stopMs >= at("03:30"))).toHaveLength(1);
    });
  });
