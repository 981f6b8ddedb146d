// Issue 101, action updates of actions that never ran, under the two-person rule (approval.retry: two-person, within
// 10 minutes), on the simulator and a stepped clock, on each store. Three loads fail on three sources at 01:01 and page
// mail, Teams, a webhook and Opsgenie. Over REST, key-first asks a retry of each: Reload CRM's is never confirmed and
// expires at 01:13 (nobody presses anything again: the worker's look ends it); key-first cancels Reload ERP's at once;
// Reload HR's is cancelled too, and its update is claimed by a Steward that is then killed before queueing it (the
// claim written to the store as that Steward left it). Each outcome is one update on each channel and one note on the
// Opsgenie alert of its page, the expired one saying it failed and who asked; HR's is queued by the next look.
// Before, none was told, and the unconfirmed retry stayed waiting until someone pressed again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { hashApiKey, generateApiKey } from "../../../../src/platform/security/api-keys";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { qlikYaml } from "../scheduler/sim-setup";

const START = Date.parse("2026-03-10T01:00:00Z");
const MIN = 60_000;
const IDS = {
  crm: "7e3f0000-0000-4000-8000-000000000001",
  erp: "7e3f0000-0000-4000-8000-000000000002",
  hr: "7e3f0000-0000-4000-8000-000000000003",
};
const OG_KEY = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const KEYS = { admin: generateApiKey(), first: generateApiKey() };
const refused = (host: string) => `Cannot connect to the data source ${host}:1433: connection refused`;
/** Each app reads its own source, so each failure is a cause of its own (one page each). */
const script = (lib: string) => `LIB CONNECT TO '${lib}';\\\\n[t]:\\\\nLOAD * FROM [lib://Data/t.qvd] (qvd);`;
const SITE = `site: { name: Unconfirmed actions }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler, script: "${script("CRM")}" }
  - { name: ERP, owner: INTERNAL\\sa_scheduler, script: "${script("ERP")}" }
  - { name: HR, owner: INTERNAL\\sa_scheduler, script: "${script("HR")}" }
tasks:
  - { id: ${IDS.crm}, name: Reload CRM, type: reload, app: CRM, durationMs: 20000, maxRetries: 0, outcome: fail, scriptError: "${refused("crm-db.corp.example")}" }
  - { id: ${IDS.erp}, name: Reload ERP, type: reload, app: ERP, durationMs: 20000, maxRetries: 0, outcome: fail, scriptError: "${refused("erp-db.corp.example")}" }
  - { id: ${IDS.hr}, name: Reload HR, type: reload, app: HR, durationMs: 20000, maxRetries: 0, outcome: fail, scriptError: "${refused("hr-db.corp.example")}" }
`;
const UPDATE = "remediation.action_update";

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

interface Scenario {
  s: SteppedSite;
  t: TestApp;
  rx: HttpReceiver;
  smtp: SmtpReceiver;
  og: OnCallReceiver<OpsgenieRequest>;
}

async function startScenario(dir: string, backend: "sqlite" | "postgres"): Promise<Scenario> {
  const rx = startHttpReceiver();
  const og = startOpsgenieReceiver(OG_KEY);
  const smtp = await startSmtpReceiver();
  const s = await startSteppedSite(dir, START, SITE);
  const url = backend === "postgres" ? await (pg ??= await startPostgres()).createDatabase("action_updates_unconfirmed") : "";
  const t = createTestApp(
    `${url ? `store:\n  postgres: { url: "${url}", leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }\n` : ""}${qlikYaml(s.sim)}intake:
  reconcile: { intervalSeconds: 30, settleSeconds: 0 }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  ops-hook: { type: webhook, url: "${rx.url}/hook" }
  ops-og: { type: opsgenie, apiKey: "${OG_KEY}", url: "${og.url}" }
routes:
  - { on: [task.failed, task.recovered], to: [ops-mail, ops-teams, ops-hook, ops-og] }
grouping: { nodeDown: { failingRuns: { enabled: false } } }
remediation:
  pollInterval: 10s
  approval: { retry: two-person, within: 10m }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(KEYS.admin)}", scopes: [admin] }
    - { name: key-first, hash: "${hashApiKey(KEYS.first)}", scopes: [tasks] }
`,
    { clock: s.clock, dir: join(dir, "steward") },
  );
  const starting = t.app.start();
  await s.clock.runUntil(START);
  await starting;
  return { s, t, rx, smtp, og };
}

const as = (key: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), "x-api-key": key } });
type Action = { id: number; status: string; outcome: string | null };
const count = (texts: readonly string[], needle: string) => texts.filter((t) => t.includes(needle)).length;

for (const backend of ["sqlite", "postgres"] as const)
  describe(`the outcome of an action that never ran is told where the page went (${backend})`, () => {
    const dir = createTempDir(`steward-action-updates-unconfirmed-${backend}-`);
    let sc: Scenario;
    let actions: Record<keyof typeof IDS, Action> = {} as never;
    let crmAt0112: Action | undefined;
    afterAll(async () => {
      await closeAll(sc?.t, sc?.s.sim, dir);
      await sc?.rx.stop();
      await sc?.smtp.stop();
      await sc?.og.stop();
    });
    beforeAll(async () => {
      sc = await startScenario(dir.path, backend);
      const { t } = sc;
      await sc.s.clock.runUntil(START + MIN);
      for (const id of Object.values(IDS)) await simControl(sc.s.sim, "POST", `/tasks/${id}/run`, {});
      await sc.s.clock.runUntil(START + 3 * MIN);
      const open = ((await (await t.request("/v4/incidents?status=open", as(KEYS.admin))).json()) as { incidents: Array<{ id: number; taskId: string }> })
        .incidents;
      const incidentOf = (key: keyof typeof IDS) => open.find((i) => i.taskId?.toLowerCase() === IDS[key])!.id;
      const ask = async (key: keyof typeof IDS) => {
        const r = await t.request(
          `/v4/incidents/${incidentOf(key)}/retry`,
          as(KEYS.first, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inMinutes: 0 }) }),
        );
        expect(r.status).toBe(202);
        return ((await r.json()) as { action: Action }).action;
      };
      const crm = await ask("crm");
      const erp = await ask("erp");
      const hr = await ask("hr");
      for (const a of [erp, hr]) expect((await t.request(`/v4/remediation/actions/${a.id}/cancel`, as(KEYS.first, { method: "POST" }))).status).toBe(200);
      // A Steward claimed HR's update and was killed before it queued it: its claim is in the store, nothing queued.
      await t.app.sharedStore.sql.run("UPDATE remediation_actions SET told_event_id = ? WHERE id = ?", [`action-${hr.id}:update:claimed`, hr.id]);
      const actionOf = async (key: keyof typeof IDS) =>
        ((await (await t.request(`/v4/incidents/${incidentOf(key)}/actions`, as(KEYS.admin))).json()) as { actions: Action[] }).actions[0]!;
      await sc.s.clock.runUntil(START + 12 * MIN);
      crmAt0112 = await actionOf("crm");
      await sc.s.clock.runUntil(START + 20 * MIN);
      actions = { crm: await actionOf("crm"), erp: await actionOf("erp"), hr: await actionOf("hr") };
      expect(crm.status).toBe("awaiting");
    }, 300_000);

    test("the retry nobody confirmed expires on time, without anyone pressing again; the two cancelled stay cancelled", () => {
      expect(crmAt0112?.status).toBe("awaiting");
      expect([actions.crm.status, actions.crm.outcome]).toEqual(["cancelled", "not confirmed by a second person within 10 min"]);
      expect([actions.erp.status, actions.hr.status]).toEqual(["cancelled", "cancelled"]);
    });

    test("each outcome is one update on mail, Teams and the webhook, the expired one saying it failed and who asked", () => {
      const mails = sc.smtp.mails.filter((m) => m.raw.includes(`X-Steward-Event: ${UPDATE}`)).map((m) => m.mail.text ?? "");
      const teams = sc.rx.requests.filter((r) => r.path === "/teams" && r.body.includes("Retried by")).map((r) => r.body);
      const hooks = sc.rx.requests
        .filter((r) => r.path === "/hook")
        .map((r) => JSON.parse(r.body) as { kind: string; remediationLines?: string[]; action?: { failed: boolean } })
        .filter((b) => b.kind === UPDATE);
      for (const texts of [mails, teams, hooks.map((h) => (h.remediationLines ?? []).join("\n"))]) {
        expect([texts.length, count(texts, "Reload CRM"), count(texts, "Reload ERP"), count(texts, "Reload HR")]).toEqual([3, 1, 1, 1]);
        const crm = texts.find((x) => x.includes("Reload CRM"))!;
        expect(crm).toContain("Retried by key-first");
        expect(crm).toContain("not confirmed by a second person within 10 min");
        expect(texts.find((x) => x.includes("Reload ERP"))).toContain("cancelled by key-first");
      }
      expect(teams.filter((b) => b.includes("FAILED"))).toHaveLength(1);
      expect(hooks.filter((h) => h.action?.failed).length).toBe(1);
    });

    test("Opsgenie gets each outcome as one note on the open alert of its page", () => {
      const notes = sc.og.accepted.flatMap((r) => (r.body.op === "notes" ? [{ key: r.body.key, note: r.body.body.note ?? "" }] : []));
      const texts = notes.map((n) => n.note);
      expect([count(texts, "Reload CRM"), count(texts, "Reload ERP"), count(texts, "Reload HR")]).toEqual([1, 1, 1]);
      const created = sc.og.accepted.flatMap((r) => (r.body.op === "create" ? [r.body.key] : []));
      for (const n of notes) expect(created).toContain(n.key);
      expect(sc.og.rejected).toEqual([]);
    });
  });
