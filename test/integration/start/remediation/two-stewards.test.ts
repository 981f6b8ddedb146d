// Two Stewards on one PostgreSQL against the simulator: a retry asked on one is started exactly once on the site,
// whichever Steward's worker claims it; an expired retry link is refused and audited; and when the Steward that
// claimed an action stops before starting it, the other takes the claim over once its lease ran out and starts the
// task once.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { createLinkStore } from "../../../../src/tell/ack-links/link-store";
import { linkQuery, newNonce, signLink } from "../../../../src/tell/ack-links/signature";
import { taskSubject } from "../../../../src/tell/incidents";
import type { TestApp } from "../../../helpers/app";
import { simCertDir } from "../../../helpers/sim-certs";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { startTwoStewards, type TwoStewards } from "../../../helpers/two-stewards";
import { waitFor } from "../../../helpers/wait-for";

const TASK = "c2a00000-0000-4000-8000-000000000001";
const OTHER = "c2a00000-0000-4000-8000-000000000002";
const SITE = `
site: { name: Two Stewards remediation }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${TASK}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0 }
  - { id: ${OTHER}, name: Reload ERP, type: reload, app: CRM, maxRetries: 0 }
`;

let dir: TempDir;
let sim: Simulator;
let both: TwoStewards | undefined;
let a: TestApp;
let b: TestApp;
const starts = (taskId = TASK) =>
  sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;
const actions = async (t: TestApp, id: number) =>
  ((await (await t.request(`/v4/incidents/${id}/actions`)).json()) as { actions: Array<{ status: string; claimedBy: string; claims: number }> }).actions;

/** The task's incident, open with a connection error (what its failed run leaves). */
async function openIncident(t: TestApp, taskId = TASK): Promise<number> {
  const now = Date.now();
  const row = await t.app.incidents!.raise({
    subject: taskSubject(taskId),
    taskId,
    title: "Reload CRM",
    eventId: `run-${now}`,
    kind: "task.failed",
    summary: "connection refused",
    at: now,
    failedRun: true,
    errorClass: "connection",
  });
  return row.id;
}

beforeAll(async () => {
  dir = createTempDir("steward-remedy-two-");
  sim = await startSimulator({
    site: SITE,
    certDir: simCertDir(join(dir.path, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 20 } },
  });
  both = await startTwoStewards(
    "remedy_two",
    `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, certDir: ${JSON.stringify(sim.certDir)}, timeoutMs: 5000, retries: 1 }
actionLinks: { publicBaseUrl: "https://steward.corp.example" }
remediation: { pollInterval: 300ms, lease: 2s }
`,
  );
  ({ a, b } = both);
}, 120_000);
afterAll(async () => {
  await both?.close().catch(() => {});
  await sim?.stop();
  dir?.remove();
});

test("a retry asked on one Steward is started once on the site", { timeout: 60_000 }, async () => {
  const id = await openIncident(a);
  const before = starts();
  const res = await a.request(`/v4/incidents/${id}/retry`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(res.status).toBe(202);
  // Asked again on the other Steward meanwhile: the same action, not a second one.
  const again = await b.request(`/v4/incidents/${id}/retry`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(((await again.json()) as { added: boolean }).added).toBe(false);
  await waitFor(async () => (await actions(b, id))[0]?.status === "started", { what: "the action to start" });
  await Bun.sleep(1000); // both workers look three times more
  expect(starts()).toBe(before + 1);
  const [row] = await actions(a, id);
  expect(row!.claims).toBe(1);
  await waitFor(() => !sim.tasks.isRunning(TASK), { what: "the run to end" });
});

test("an expired retry link is refused on either Steward and audited", async () => {
  const id = (await a.app.incidents!.openIncident(taskSubject(TASK)))?.id ?? (await openIncident(a));
  const now = Date.now();
  const { secret } = await createLinkStore(a.app.sharedStore.sql).key(now);
  const p = { incidentId: id, action: "retry" as const, recipient: "anna@corp.example", expiresAt: now - 1000, nonce: newNonce() };
  const link = `/act/incident/${id}?${linkQuery(p, signLink(secret, p))}`;
  expect((await b.request(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "retry=0" })).status).toBe(410);
  await b.app.audit.flush();
  const audit = (await (await a.request("/v4/audit?action=incident.link&limit=10")).json()) as {
    entries: Array<{ result: string; details: { reason: string } }>;
  };
  expect(audit.entries[0]).toMatchObject({ result: "denied" });
  expect(audit.entries[0]!.details.reason).toContain("expired");
});

test("the Steward that claimed an action stops before starting it: the other takes it over and starts the task once", { timeout: 60_000 }, async () => {
  // Both Stewards' workers would race for a new action: it is claimed by node-a in the store (as node-a's worker does,
  // one statement) and node-a is stopped before its next step, as a killed Steward would be.
  const id = await openIncident(a, OTHER);
  await a.close();
  const store = createActionStore(b.app.sharedStore.sql);
  const now = Date.now();
  const { action } = await store.add({
    incidentId: id,
    taskId: OTHER,
    taskName: "Reload ERP",
    kind: "retry",
    requestedBy: "anna@corp.example",
    requestedFrom: "link",
    requestedAt: now,
    dueAt: now + 60_000,
  });
  expect(await store.claim(action.id, "node-a-killed", now + 60_000, 2_000)).toBeDefined();
  const before = starts(OTHER);
  // node-b's worker finds the claim once its lease ran out (the action was claimed "due" a minute ahead, so its lease
  // ends then; move the claim's lease to now + 2 s to keep the test short).
  await b.app.sharedStore.sql.run("UPDATE remediation_actions SET lease_until = ? WHERE id = ?", [Date.now() + 2_000, action.id]);
  await waitFor(async () => (await store.get(action.id))?.status === "started", { what: "node-b to take the action over", timeoutMs: 20_000 });
  const row = (await store.get(action.id))!;
  expect(row.takenFrom).toBe("node-a-killed");
  expect(row.claims).toBe(2);
  expect(starts(OTHER)).toBe(before + 1);
});
