// Issue 101, "an action's outcome that has no run is told on its own, where the page went", on the simulator and a
// stepped clock shared with Steward, on SQLite and on PostgreSQL with two Stewards. Three loads fail on three sources
// at 01:01 and page mail, Teams, a webhook and PagerDuty (Reload HR also a Slack channel of its own). Over REST a
// person asks: a retry of Reload CRM now (its source is still down: the retry runs and fails; a person's failed retry
// is told by its failure's own message as its run ends, whatever renotify says: failed-retry-told.test.ts); a retry of
// Reload ERP in 10 minutes, and ERP is disabled in the QMC meanwhile (its start is refused); a retry of Reload HR in 10
// minutes, and HR runs well before (not needed). The two outcomes with no run come as one action update on each channel
// that got their page, the refused one saying so and who asked, the mail answering the page's mail; PagerDuty gets each
// as a note (an event on its alert) while the alert is open; the Slack channel that got only HR's page gets only HR's
// update. Before, none of them was told anywhere.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { qlikYaml } from "../scheduler/sim-setup";

const START = Date.parse("2026-03-10T01:00:00Z");
const MIN = 60_000;
const IDS = {
  crm: "7e3e0000-0000-4000-8000-000000000001",
  erp: "7e3e0000-0000-4000-8000-000000000002",
  hr: "7e3e0000-0000-4000-8000-000000000003",
  wms: "7e3e0000-0000-4000-8000-000000000004",
};
const refused = (host: string) => `Cannot connect to the data source ${host}:1433: connection refused`;
/** Each app reads its own source, so each failure is a cause of its own (one page each). */
const script = (lib: string) => `LIB CONNECT TO '${lib}';\\n[t]:\\nLOAD * FROM [lib://Data/t.qvd] (qvd);`;
const SITE = `site: { name: Action updates }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler, script: "${script("CRM")}" }
  - { name: ERP, owner: INTERNAL\\sa_scheduler, script: "${script("ERP")}" }
  - { name: HR, owner: INTERNAL\\sa_scheduler, script: "${script("HR")}" }
  - { name: WMS, owner: INTERNAL\\sa_scheduler, script: "${script("WMS")}" }
tasks:
  - { id: ${IDS.crm}, name: Reload CRM, type: reload, app: CRM, durationMs: 20000, maxRetries: 0, outcome: fail, scriptError: "${refused("crm-db.corp.example")}" }
  - { id: ${IDS.erp}, name: Reload ERP, type: reload, app: ERP, durationMs: 20000, maxRetries: 0, outcome: fail, scriptError: "${refused("erp-db.corp.example")}" }
  - { id: ${IDS.hr}, name: Reload HR, type: reload, app: HR, durationMs: 20000, maxRetries: 0, outcome: fail, scriptError: "${refused("hr-db.corp.example")}" }
  - { id: ${IDS.wms}, name: Reload WMS, type: reload, app: WMS, durationMs: 20000, maxRetries: 0, outcome: fail, scriptError: "${refused("wms-db.corp.example")}" }
`;
const UPDATE = "remediation.action_update";

interface Scenario {
  s: SteppedSite;
  apps: TestApp[];
  rx: HttpReceiver;
  smtp: SmtpReceiver;
  pd: OnCallReceiver<PagerDutyEvent>;
}

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

async function startScenario(dir: string, backend: "sqlite" | "postgres"): Promise<Scenario> {
  const rx = startHttpReceiver();
  const pd = startPagerDutyReceiver();
  const smtp = await startSmtpReceiver();
  const s = await startSteppedSite(dir, START, SITE);
  const url = backend === "postgres" ? await (pg ??= await startPostgres()).createDatabase("action_updates") : "";
  // On PostgreSQL two Stewards (one per Qlik node) share the store: each outcome is still told once.
  const names = backend === "postgres" ? ["node-a", "node-b"] : ["single"];
  const apps = names.map((name) =>
    createTestApp(
      `${url ? `store:\n  postgres: { url: "${url}", instanceName: ${name}, leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }\n` : ""}${qlikYaml(s.sim)}intake:
  reconcile: { intervalSeconds: 30, settleSeconds: 0 }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  ops-hook: { type: webhook, url: "${rx.url}/hook" }
  ops-pd: { type: pagerduty, routingKey: "A0123456789abcdef0123456789abcde", url: "${pd.url}/v2/enqueue" }
  hr-slack: { type: slack, webhookUrl: "${rx.url}/slack" }
routes:
  - { on: [task.failed, task.recovered], to: [ops-mail, ops-teams, ops-hook, ops-pd], taskNames: [Reload CRM, Reload ERP, Reload HR] }
  - { on: [task.failed, task.recovered], to: [ops-mail, ops-teams, ops-hook, ops-pd], taskNames: [Reload WMS], renotify: every }
  - { on: [task.failed], to: [hr-slack], taskNames: [Reload HR] }
grouping: { nodeDown: { failingRuns: { enabled: false } } }
remediation: { pollInterval: 10s }
`,
      { clock: s.clock, dir: join(dir, `steward-${name}`) },
    ),
  );
  const starting = Promise.all(apps.map((t) => t.app.start()));
  await s.clock.runUntil(START);
  await starting;
  return { s, apps, rx, smtp, pd };
}

type Incident = { id: number; taskId: string | null };
type Action = { id: number; status: string; outcome: string | null; requestedBy: string };

/** The webhook's action updates, parsed. */
const hookUpdates = (rx: HttpReceiver) =>
  rx.requests
    .filter((r) => r.path === "/hook")
    .map((r) => JSON.parse(r.body) as { kind: string; remediationLines?: string[]; action?: { taskName: string; failed: boolean; requestedBy: string } })
    .filter((b) => b.kind === UPDATE);
/** A Teams or Slack post's text as a person reads it. */
const postsTo = (rx: HttpReceiver, path: string) => rx.requests.filter((r) => r.path === path).map((r) => r.body.replace(/\\(.)/g, "$1"));
const mailUpdates = (smtp: SmtpReceiver) => smtp.mails.filter((m) => m.raw.includes(`X-Steward-Event: ${UPDATE}`));
/** PagerDuty's events that told what Steward did (custom_details "What Steward did"). */
const pdTold = (pd: OnCallReceiver<PagerDutyEvent>) =>
  pd.accepted.flatMap((r) => (r.body.event_action === "trigger" ? [String(r.body.payload.custom_details?.["What Steward did"] ?? "")] : [])).filter(Boolean);
const count = (texts: readonly string[], needle: string) => texts.filter((t) => t.includes(needle)).length;

for (const backend of ["sqlite", "postgres"] as const)
  describe(`an action's outcome no message carries is told on its own, where the page went (${backend})`, () => {
    const dir = createTempDir(`steward-action-updates-${backend}-`);
    let sc: Scenario;
    let actions: Record<keyof typeof IDS, Action> = {} as never;
    let pagesBefore = { mails: 0, teams: 0, hooks: 0 };
    afterAll(async () => {
      if (sc) for (const t of sc.apps.slice(1)) await t.close();
      await closeAll(sc?.apps[0], sc?.s.sim, dir);
      await sc?.rx.stop();
      await sc?.smtp.stop();
      await sc?.pd.stop();
    });
    beforeAll(async () => {
      sc = await startScenario(dir.path, backend);
      const [t] = sc.apps as [TestApp];
      // 01:01: the three loads fail, each on its own source; their pages go out.
      await sc.s.clock.runUntil(START + MIN);
      for (const id of Object.values(IDS)) await simControl(sc.s.sim, "POST", `/tasks/${id}/run`, {});
      await sc.s.clock.runUntil(START + 3 * MIN);
      pagesBefore = { mails: sc.smtp.mails.length, teams: postsTo(sc.rx, "/teams").length, hooks: sc.rx.requests.filter((r) => r.path === "/hook").length };
      const open = ((await (await t.request("/v4/incidents?status=open")).json()) as { incidents: Incident[] }).incidents;
      const incidentOf = (taskId: string) => open.find((i) => i.taskId?.toLowerCase() === taskId)!.id;
      const ask = async (key: keyof typeof IDS, inMinutes: number) => {
        const r = await t.request(`/v4/incidents/${incidentOf(IDS[key])}/retry`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ inMinutes }),
        });
        expect(r.status).toBe(202);
        return incidentOf(IDS[key]);
      };
      const crm = await ask("crm", 0);
      const erp = await ask("erp", 10);
      const hr = await ask("hr", 10);
      // Reload WMS's retry fails too, and its failure's message goes (renotify: every): it tells the outcome.
      const wms = await ask("wms", 0);
      // ERP is switched off in the QMC before its retry is due; HR's source is back and it runs well at 01:05.
      await simControl(sc.s.sim, "PATCH", `/tasks/${IDS.erp}`, { enabled: false });
      await sc.s.clock.runUntil(START + 5 * MIN);
      await simControl(sc.s.sim, "POST", `/tasks/${IDS.hr}/run`, { outcome: "succeed" });
      await sc.s.clock.runUntil(START + 25 * MIN);
      const actionOf = async (id: number) => ((await (await t.request(`/v4/incidents/${id}/actions`)).json()) as { actions: Action[] }).actions[0]!;
      actions = { crm: await actionOf(crm), erp: await actionOf(erp), hr: await actionOf(hr), wms: await actionOf(wms) };
    }, 300_000);

    test("the three actions ended without anything else to tell them: a failed retry, a refused start, one not needed", () => {
      expect(pagesBefore.mails).toBe(4);
      expect(pagesBefore.teams).toBe(4);
      expect(pagesBefore.hooks).toBe(4);
      expect([actions.wms.status, actions.wms.outcome]).toEqual(["ended", "failed"]);
      expect([actions.crm.status, actions.crm.outcome]).toEqual(["ended", "failed"]);
      expect(actions.erp.status).toBe("failed");
      expect(actions.hr.status).toBe("skipped");
    });

    test("each outcome is told once on mail, Teams and the webhook: the two without a run by an update, the failed retries by their failure", () => {
      const mails = mailUpdates(sc.smtp).map((m) => m.mail.text ?? "");
      // Every post that tells an action (HR's recovery card came before its action ended, telling none).
      const teamsAll = postsTo(sc.rx, "/teams").filter((b) => b.includes("Retried by"));
      const teams = teamsAll.filter((b) => !b.includes("Reload WMS"));
      const mailed = sc.smtp.mails.map((m) => m.mail.text ?? "").filter((x) => x.includes("Retried by"));
      expect(mailed.filter((x) => !x.includes("Reload WMS") && !x.includes("Reload CRM"))).toEqual(mails);
      const hooks = hookUpdates(sc.rx);
      const updates = { mails: mailUpdates(sc.smtp).map((m) => m.mail.text ?? ""), teams: teams.filter((b) => !b.includes("Reload CRM")) };
      for (const texts of [updates.mails, updates.teams, hooks.map((h) => (h.remediationLines ?? []).join("\n"))]) {
        expect(texts).toHaveLength(2);
        expect([count(texts, "Reload CRM"), count(texts, "Reload ERP"), count(texts, "Reload HR"), count(texts, "Reload WMS")]).toEqual([0, 1, 1, 0]);
        expect(texts.find((x) => x.includes("Reload ERP"))).toContain("not started");
        expect(texts.find((x) => x.includes("Reload ERP"))).toContain("disabled in the QMC");
        expect(texts.find((x) => x.includes("Reload HR"))).toContain("not needed");
      }
      expect(hooks.map((h) => [h.action?.taskName, h.action?.failed]).sort()).toEqual([
        ["Reload ERP", true],
        ["Reload HR", false],
      ]);
      // Reload CRM's and Reload WMS's outcomes rode on their failures' messages, once per channel, and no update repeats them.
      for (const told of [mailed, teamsAll]) expect([count(told, "Reload CRM"), count(told, "Reload WMS")]).toEqual([1, 1]);
      const crm = mailed.find((x) => x.includes("Reload CRM"))!;
      expect(crm).toContain(`Retried by ${actions.crm.requestedBy}`);
      expect(crm).toContain("the retry failed.");
      expect(crm).toContain("connection refused");
      expect(mailed.find((x) => x.includes("Reload WMS"))).toContain("the retry failed.");
    });

    test("the update's mail answers the page's mail (In-Reply-To), to the same recipients", () => {
      const pages = sc.smtp.mails.filter((m) => m.raw.includes("X-Steward-Event: task.failed"));
      expect(mailUpdates(sc.smtp)).toHaveLength(2);
      for (const u of mailUpdates(sc.smtp)) {
        expect(u.envelopeTo).toEqual(["qlik-ops@corp.example"]);
        const task = ["Reload ERP", "Reload HR"].find((n) => (u.mail.text ?? "").includes(n))!;
        const page = pages.find((p) => (p.mail.text ?? "").includes(task))!;
        expect(u.mail.inReplyTo).toBe(page.mail.messageId);
      }
    });

    test("PagerDuty gets each outcome on the open alert of its page; the Slack channel only HR's, whose page it got", () => {
      const told = pdTold(sc.pd);
      expect(count(told, "Reload ERP")).toBe(1);
      // Reload CRM's failed retry: its failure's own event on the page's alert says what Steward did.
      const crm = sc.pd.accepted.flatMap((r) =>
        r.body.event_action === "trigger" && r.body.payload.custom_details?.Task === "Reload CRM"
          ? [String(r.body.payload.custom_details["What Steward did"] ?? "")]
          : [],
      );
      expect(crm.filter((x) => x.includes("the retry failed"))).toHaveLength(1);
      expect(sc.pd.rejected).toEqual([]);
      const slack = postsTo(sc.rx, "/slack");
      const updates = slack.filter((b) => b.includes("Retried by"));
      expect(updates).toHaveLength(1);
      expect(updates[0]).toContain("Reload HR");
      expect(updates[0]).toContain("not needed");
    });
  });
