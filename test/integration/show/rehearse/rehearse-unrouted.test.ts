// Issue 105, on the simulator and one stepped clock: the config in force (A) routes only Reload Sales's failures to the
// person on duty; Reload Budget fails every night (its second run works) and no route takes it. Rehearsed on A's history, a config (B) that
// adds a route for Reload Budget lists the pages that route would have sent, one a night, and exits 0 (it hides no
// fault); a config that keeps only the new route still exits 1 naming the Sales fault it would hide. Before, events no
// route took were not recorded at all, so B's new route rehearsed to no page.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp, type StewardApp } from "../../../../src/app";
import { loadConfigFile } from "../../../../src/composition/config";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { inProcessEnv } from "../../../../src/platform/http/types";
import { rehearseCommand } from "../../../../src/show/cli/rehearse-command";
import type { Rehearsal } from "../../../../src/show/rehearse/types";
import { intakeYaml } from "../../hear/intake/harness";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";

const DAY = 86_400_000;
const H = 3_600_000;
const MIN = 60_000;
/** Monday 2026-11-02, 00:00 UTC. */
const START = Date.parse("2026-11-02T00:00:00Z");
const IDS = { sales: "5a1e0000-0000-4000-8000-000000000011", budget: "5a1e0000-0000-4000-8000-000000000012" };
const SITE = `
site: { name: Rehearsed site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna@corp.example }
apps:
  - { name: Sales, owner: CORP\\anna }
  - { name: Budget, owner: CORP\\anna }
tasks:
  - { id: ${IDS.sales}, name: Reload Sales, type: reload, app: Sales, maxRetries: 0 }
  - { id: ${IDS.budget}, name: Reload Budget, type: reload, app: Budget, maxRetries: 0 }
`;

const channels = (port: number) => {
  const mail = (to: string) => `{ type: email, smtp: { host: 127.0.0.1, port: ${port}, security: none }, from: steward@corp.example, to: [${to}] }`;
  return `channels:\n  oncall-mail: ${mail("oncall@corp.example")}\n  budget-mail: ${mail("budget@corp.example")}\n`;
};
const SALES_ROUTE = "  - { name: on-call, on: [task.failed], taskNames: [Reload Sales], to: [oncall-mail] }\n";
const BUDGET_ROUTE = "  - { name: budget, on: [task.failed], taskNames: [Reload Budget], to: [budget-mail] }\n";

for (const backend of ["sqlite", "postgres"] as const)
  describe(`on ${backend}`, () => {
    const NIGHTS = backend === "sqlite" ? 4 : 2;
    let dir: ReturnType<typeof createTempDir>;
    let pg: PostgresService | undefined;
    let site: SteppedSite;
    let app: StewardApp;
    let smtp: SmtpReceiver;
    const request = (path: string, init?: RequestInit) => Promise.resolve(app.http.hono.request(path, init, inProcessEnv()));
    const post = (path: string, body: unknown) =>
      request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    beforeAll(async () => {
      dir = createTempDir("steward-rehearse-unrouted-");
      if (backend === "postgres") pg = await startPostgres();
      smtp = await startSmtpReceiver();
      site = await startSteppedSite(join(dir.path, "site"), START, SITE);
      const store = pg ? `store:\n  postgres:\n    url: ${await pg.createDatabase("a")}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n` : "";
      const file = join(dir.path, "steward.yaml");
      writeFileSync(
        file,
        `${intakeYaml(site.sim)}
http: { host: 127.0.0.1, port: 0 }
udp: { host: 127.0.0.1, port: 0 }
dataDir: ./data
${store}notify: { outbox: { keep: 35d } }
${channels(smtp.port)}routes:
${SALES_ROUTE}`,
      );
      app = createApp(loadConfigFile(file), { log: createSilentLogger(), clock: site.clock });
      const starting = app.start();
      await site.clock.runUntil(START);
      await starting;
      sendDatagramsTo(site, { host: "127.0.0.1", port: app.intake.udp!.address()!.port }, () => app.intake.counters.received.get());
      const { clock, sim } = site;
      for (let d = 0; d < NIGHTS; d++) {
        const at = (h: number, task: string, outcome: "fail" | "succeed") =>
          clock.setTimeout(() => sim.tasks.start(task, { outcome, durationMs: MIN }), START + d * DAY + h * H - clock.now());
        // Each night's failure is an incident of its own: its 01:30 run works.
        at(1, IDS.budget, "fail");
        at(1.5, IDS.budget, "succeed");
        if (d === 1) at(2, IDS.sales, "fail");
        await clock.runUntil(START + d * DAY + 2.5 * H, { stallMs: wallLimit(30_000) });
        if (d === 1) {
          // The person on duty acknowledges the Sales failure: a fault.
          const { incidents } = (await (await request(`/v4/incidents?status=open&taskId=${IDS.sales}`)).json()) as { incidents: Array<{ id: number }> };
          expect(incidents).toHaveLength(1);
          for (const i of incidents) expect((await post(`/v4/incidents/${i.id}/acknowledge`, { note: "on it" })).status).toBe(200);
        }
        await clock.runUntil(START + d * DAY + 23 * H, { stallMs: wallLimit(30_000) });
      }
    }, wallLimit(300_000));

    afterAll(async () => {
      await app?.stop();
      await site?.sim.stop();
      await smtp?.stop();
      await pg?.stop();
      pg = undefined;
      dir.remove();
    });

    test("a new route on failures no route took lists the pages it would have sent, one a night", { timeout: wallLimit(120_000) }, async () => {
      // Only Sales's one failure paged: the Budget's went nowhere.
      expect(smtp.mails.filter((m) => /task failed:/.test(m.mail.subject ?? "")).map((m) => m.envelopeTo)).toEqual([["oncall@corp.example"]]);
      const answer = await post("/v4/config/rehearse", { config: `${channels(smtp.port)}routes:\n${SALES_ROUTE}${BUDGET_ROUTE}`, since: `${NIGHTS}d` });
      expect(answer.status).toBe(200);
      const r = (await answer.json()) as Rehearsal;
      expect([...r.channels].sort((x, y) => x.route.localeCompare(y.route))).toEqual([
        { route: "budget", channel: "budget-mail", current: 0, rehearsed: NIGHTS },
        { route: "on-call", channel: "oncall-mail", current: 1, rehearsed: 1 },
      ]);
      expect(r.pages).toEqual({ current: 1, rehearsed: 1 + NIGHTS });
      expect(r.unpagedFaults).toEqual([]);
      // Both kinds of history reach back as far: nothing to warn of.
      expect(r.notes).toEqual([]);
    });

    test("steward config rehearse exits 0 for the added route, 1 for a config that drops the on-call route", { timeout: wallLimit(120_000) }, async () => {
      const url = app.server!.url();
      const added = join(dir.path, "added.yaml");
      const dropped = join(dir.path, "dropped.yaml");
      writeFileSync(added, `${channels(smtp.port)}routes:\n${SALES_ROUTE}${BUDGET_ROUTE}`);
      writeFileSync(dropped, `${channels(smtp.port)}routes:\n${BUDGET_ROUTE}`);
      const lines: string[] = [];
      const io = { out: (s: string) => void lines.push(s), err: (s: string) => void lines.push(`ERR ${s}`) };
      expect(await rehearseCommand([added, "--since", `${NIGHTS}d`, "--url", url], io)).toBe(0);
      expect(lines.join("\n")).toContain(`budget → budget-mail: 0 → ${NIGHTS} (+${NIGHTS})`);
      lines.length = 0;
      expect(await rehearseCommand([dropped, "--since", `${NIGHTS}d`, "--url", url], io)).toBe(1);
      expect(lines.join("\n")).toMatch(/incident \d+ Reload Sales on route on-call, paged \d{4}-\d\d-\d\d 02:0\d \(acknowledged\)/);
    });
  });
