// Issue 101, "a refusal at asking is told where the page went", on the simulator and a stepped clock shared with
// Steward, on each store. Two loads fail at 01:01 and page mail, Teams and Slack: Reload CRM on a refused connection
// (a retry is offered), Reload ERP on a script error (not offered). Retries are two-person. Over REST key-first asks:
// - CRM's retry at 01:03 (it waits for a second person), again at 01:03:10 (a double press: refused, not told) and
//   again at 01:05 (the two-person rule refuses the same person: told);
// - ERP's retry at 01:05 (its class is not offered: refused, told) and again at 01:05:20 (a double press: not told).
// Each told refusal is one action update on each channel that got the page, naming who asked and why; the incident's
// actions list it. Before, a refusal showed only in the REST answer (or the link's page): nobody else on call heard.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { qlikYaml } from "../scheduler/sim-setup";

const START = Date.parse("2026-03-10T01:00:00Z");
const MIN = 60_000;
const IDS = { crm: "7e400000-0000-4000-8000-000000000001", erp: "7e400000-0000-4000-8000-000000000002" };
const KEYS = { admin: generateApiKey(), first: generateApiKey() };
const script = (lib: string) => `LIB CONNECT TO '${lib}';\\\\n[t]:\\\\nLOAD * FROM [lib://Data/t.qvd] (qvd);`;
const SITE = `site: { name: Refused asks }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler, script: "${script("CRM")}" }
  - { name: ERP, owner: INTERNAL\\sa_scheduler, script: "${script("ERP")}" }
tasks:
  - { id: ${IDS.crm}, name: Reload CRM, type: reload, app: CRM, durationMs: 20000, maxRetries: 0, outcome: fail, scriptError: "Cannot connect to the data source crm-db.corp.example:1433: connection refused" }
  - { id: ${IDS.erp}, name: Reload ERP, type: reload, app: ERP, durationMs: 20000, maxRetries: 0, outcome: fail, scriptError: "Field 'OrderDate' not found" }
`;
const UPDATE = "remediation.action_update";
const REFUSED = "refused when asked";

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

const as = (key: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), "x-api-key": key } });
const postsTo = (rx: HttpReceiver, path: string) => rx.requests.filter((r) => r.path === path).map((r) => r.body.replace(/\\(.)/g, "$1"));
const count = (texts: readonly string[], needle: string) => texts.filter((t) => t.includes(needle)).length;
type Action = { id: number; status: string; outcome: string | null; requestedBy: string; qlikAnswer: string | null };

for (const backend of ["sqlite", "postgres"] as const)
  describe(`a refusal at asking is told once where the page went (${backend})`, () => {
    const dir = createTempDir(`steward-refusal-updates-${backend}-`);
    let s: SteppedSite | undefined;
    let t: TestApp | undefined;
    let rx: HttpReceiver;
    let smtp: SmtpReceiver;
    const statuses: number[] = [];
    let crmActions: Action[] = [];
    let erpActions: Action[] = [];

    afterAll(async () => {
      await closeAll(t, s?.sim, dir);
      await rx?.stop();
      await smtp?.stop();
    });

    beforeAll(async () => {
      rx = startHttpReceiver();
      smtp = await startSmtpReceiver();
      s = await startSteppedSite(dir.path, START, SITE);
      const url = backend === "postgres" ? await (pg ??= await startPostgres()).createDatabase("refusal_updates") : "";
      t = createTestApp(
        `${url ? `store:\n  postgres: { url: "${url}", leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }\n` : ""}${qlikYaml(s.sim)}intake:
  reconcile: { intervalSeconds: 30, settleSeconds: 0 }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  ops-slack: { type: slack, webhookUrl: "${rx.url}/slack" }
routes:
  - { on: [task.failed, task.recovered], to: [ops-mail, ops-teams, ops-slack] }
grouping: { nodeDown: { failingRuns: { enabled: false } } }
remediation:
  pollInterval: 10s
  approval: { retry: two-person }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(KEYS.admin)}", scopes: [admin] }
    - { name: key-first, hash: "${hashApiKey(KEYS.first)}", scopes: [tasks] }
`,
        { clock: s.clock, dir: join(dir.path, "steward") },
      );
      const starting = t.app.start();
      await s.clock.runUntil(START);
      await starting;
      await s.clock.runUntil(START + MIN);
      for (const id of Object.values(IDS)) await simControl(s.sim, "POST", `/tasks/${id}/run`, {});
      await s.clock.runUntil(START + 3 * MIN);
      const open = ((await (await t.request("/v4/incidents?status=open", as(KEYS.admin))).json()) as { incidents: Array<{ id: number; taskId: string }> })
        .incidents;
      const incidentOf = (key: keyof typeof IDS) => open.find((i) => i.taskId?.toLowerCase() === IDS[key])!.id;
      const ask = async (key: keyof typeof IDS) => {
        const r = await t!.request(
          `/v4/incidents/${incidentOf(key)}/retry`,
          as(KEYS.first, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inMinutes: 0 }) }),
        );
        statuses.push(r.status);
      };
      await ask("crm");
      await s.clock.runUntil(START + 3 * MIN + 10_000);
      await ask("crm");
      await s.clock.runUntil(START + 5 * MIN);
      await ask("crm");
      await ask("erp");
      await s.clock.runUntil(START + 5 * MIN + 20_000);
      await ask("erp");
      await s.clock.runUntil(START + 8 * MIN);
      const actionsOf = async (key: keyof typeof IDS) =>
        ((await (await t!.request(`/v4/incidents/${incidentOf(key)}/actions`, as(KEYS.admin))).json()) as { actions: Action[] }).actions;
      crmActions = await actionsOf("crm");
      erpActions = await actionsOf("erp");
    }, 300_000);

    test("the asks were answered as before: waiting, refused twice for the same person, refused twice for the class", () => {
      expect(statuses).toEqual([202, 403, 403, 409, 409]);
    });

    test("each refusal told is one action update on mail, Teams and Slack, naming who asked and why; a double press is not told", () => {
      const mails = smtp.mails.filter((m) => m.raw.includes(`X-Steward-Event: ${UPDATE}`)).map((m) => m.mail.text ?? "");
      const teams = postsTo(rx, "/teams").filter((b) => b.includes(REFUSED));
      const slack = postsTo(rx, "/slack").filter((b) => b.includes(REFUSED));
      for (const texts of [mails, teams, slack]) {
        expect([texts.length, count(texts, "Reload CRM"), count(texts, "Reload ERP")]).toEqual([2, 1, 1]);
        const crm = texts.find((x) => x.includes("Reload CRM"))!;
        expect(crm).toContain("key-first");
        expect(crm).toContain("needs a second, different person");
        expect(texts.find((x) => x.includes("Reload ERP"))).toContain("error class is script");
      }
      expect(mails.every((m) => m.includes(REFUSED))).toBe(true);
    });

    test("the incident's actions list each refusal told, the waiting ask still waiting", () => {
      expect(crmActions.map((a) => [a.status, a.outcome])).toEqual([
        ["awaiting", null],
        ["failed", REFUSED],
      ]);
      expect(erpActions.map((a) => [a.status, a.outcome, a.requestedBy])).toEqual([["failed", REFUSED, "key-first"]]);
    });
  });
