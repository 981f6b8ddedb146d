// Issue 103 across a cluster: the two-person rule counts people, whichever Steward of the site each press reaches.
// Two Stewards on one PostgreSQL against the simulator: Anna's mail link pressed on node-a and again on node-b is
// one person (403 on node-b, nothing starts); a name typed on a Slack and a Teams link, one on each Steward, is no
// person at all; the key that asked on node-a cannot confirm on node-b; Bob's link on node-b confirms, and the task
// starts once on the site. Issue 104: two keys the config says are Anna's, one on each Steward, and her mail's link
// are one person; Bob's key confirms. A direct start over Butler's path (remediation.approval.directStarts: two-person)
// asked on node-a is held for a second person across the cluster too.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { createLinkStore } from "../../../../src/tell/ack-links/link-store";
import { linkQuery, newNonce, signLink } from "../../../../src/tell/ack-links/signature";
import { taskSubject } from "../../../../src/tell/incidents";
import type { TestApp } from "../../../helpers/app";
import { simCertDir } from "../../../helpers/sim-certs";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { startTwoStewards, type TwoStewards } from "../../../helpers/two-stewards";
import { waitFor } from "../../../helpers/wait-for";

const TASK = "c2b00000-0000-4000-8000-000000000001";
const OTHER = "c2b00000-0000-4000-8000-000000000002";
const THIRD = "c2b00000-0000-4000-8000-000000000003";
const FOURTH = "c2b00000-0000-4000-8000-000000000004";
const SITE = `
site: { name: Two Stewards and two people }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${TASK}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0 }
  - { id: ${OTHER}, name: Reload ERP, type: reload, app: CRM, maxRetries: 0 }
  - { id: ${THIRD}, name: Reload HR, type: reload, app: CRM, maxRetries: 0 }
  - { id: ${FOURTH}, name: Reload Finance, type: reload, app: CRM, maxRetries: 0 }
`;
const KEYS = {
  admin: generateApiKey(),
  first: generateApiKey(),
  second: generateApiKey(),
  annaLaptop: generateApiKey(),
  annaScript: generateApiKey(),
  bob: generateApiKey(),
};

let dir: TempDir;
let sim: Simulator;
let both: TwoStewards | undefined;
let a: TestApp;
let b: TestApp;
const starts = (taskId: string) =>
  sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;
const as = (key: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), "x-api-key": key } });
type Action = { id: number; status: string; requestedBy: string; confirmedBy: string | null };
const actions = async (t: TestApp, id: number) =>
  ((await (await t.request(`/v4/incidents/${id}/actions`, as(KEYS.admin))).json()) as { actions: Action[] }).actions;
const post = (form: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(form).toString(),
});

async function openIncident(taskId: string): Promise<number> {
  const now = Date.now();
  const row = await a.app.incidents!.raise({
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

/** A retry link of the incident's alert made for `recipient` (a mailbox, or channel:<name>), signed as the mail is. */
async function retryLink(id: number, recipient: string): Promise<string> {
  const now = Date.now();
  const { secret } = await createLinkStore(a.app.sharedStore.sql).key(now);
  const p = { incidentId: id, action: "retry" as const, recipient, expiresAt: now + 3_600_000, nonce: newNonce() };
  return `/act/incident/${id}?${linkQuery(p, signLink(secret, p))}`;
}

beforeAll(async () => {
  dir = createTempDir("steward-two-person-two-");
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
    "two_person_two",
    `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, certDir: ${JSON.stringify(sim.certDir)}, timeoutMs: 5000, retries: 1 }
actionLinks: { publicBaseUrl: "https://steward.corp.example" }
remediation:
  pollInterval: 300ms
  lease: 2s
  approval: { retry: two-person, directStarts: two-person }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(KEYS.admin)}", scopes: [admin] }
    - { name: key-first, hash: "${hashApiKey(KEYS.first)}", scopes: [tasks] }
    - { name: key-second, hash: "${hashApiKey(KEYS.second)}", scopes: [tasks] }
    - { name: anna-laptop, hash: "${hashApiKey(KEYS.annaLaptop)}", scopes: [tasks], person: anna@corp.example }
    - { name: anna-script, hash: "${hashApiKey(KEYS.annaScript)}", scopes: [tasks], person: anna@corp.example }
    - { name: bob-laptop, hash: "${hashApiKey(KEYS.bob)}", scopes: [tasks], person: bob@corp.example }
`,
  );
  ({ a, b } = both);
}, 120_000);
afterAll(async () => {
  await both?.close().catch(() => {});
  await sim?.stop();
  dir?.remove();
});

test("Anna's link on node-a, then Anna's link on node-b, typed names on each: one person, nothing starts; Bob's confirms once", {
  timeout: 90_000,
}, async () => {
  const id = await openIncident(TASK);
  const before = starts(TASK);
  const first = await a.request(await retryLink(id, "anna@corp.example"), post({ retry: "0" }));
  expect(await first.text()).toContain("Waiting for a second person");
  // The same person through the other Steward (another mail's link of hers) is refused there.
  const again = await b.request(await retryLink(id, "anna@corp.example"), post({ retry: "0" }));
  expect(again.status).toBe(403);
  // A name typed on a Slack link (node-a) and on a Teams link (node-b): labels, no person, on either Steward.
  for (const [t, channel] of [
    [a, "slack"],
    [b, "teams"],
  ] as const) {
    const typed = await t.request(await retryLink(id, `channel:${channel}`), post({ retry: "0", name: "Bob" }));
    expect(typed.status).toBe(403);
    expect(await typed.text()).toContain("counts verified people only");
  }
  await Bun.sleep(1_000); // both workers look three times: nothing is due
  expect(starts(TASK)).toBe(before);
  expect((await actions(b, id)).map((x) => x.status)).toEqual(["awaiting"]);

  const bob = await b.request(await retryLink(id, "bob@corp.example"), post({ retry: "0" }));
  expect(bob.status).toBe(200);
  await waitFor(async () => ["started", "ended"].includes((await actions(a, id))[0]?.status ?? "") || undefined, {
    what: "the confirmed retry to start",
    timeoutMs: 30_000,
  });
  await Bun.sleep(1_000); // both workers look three times more
  expect(starts(TASK)).toBe(before + 1);
  expect((await actions(a, id))[0]).toMatchObject({ requestedBy: "anna@corp.example", confirmedBy: "bob@corp.example" });
});

test("the key that asked on node-a cannot confirm on node-b; a second key there confirms, one start", { timeout: 90_000 }, async () => {
  const id = await openIncident(OTHER);
  const before = starts(OTHER);
  const retry = (t: TestApp, key: string) =>
    t.request(`/v4/incidents/${id}/retry`, as(key, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
  const asked = await retry(a, KEYS.first);
  expect(asked.status).toBe(202);
  const { action } = (await asked.json()) as { action: Action };
  expect((await b.request(`/v4/remediation/actions/${action.id}/confirm`, as(KEYS.first, { method: "POST" }))).status).toBe(403);
  expect((await retry(b, KEYS.first)).status).toBe(403);
  expect(starts(OTHER)).toBe(before);
  expect((await b.request(`/v4/remediation/actions/${action.id}/confirm`, as(KEYS.second, { method: "POST" }))).status).toBe(202);
  await waitFor(async () => ["started", "ended"].includes((await actions(b, id))[0]?.status ?? "") || undefined, {
    what: "the confirmed retry to start",
    timeoutMs: 30_000,
  });
  await Bun.sleep(1_000); // both workers look three times more
  expect(starts(OTHER)).toBe(before + 1);
});

test("two keys of Anna's, one on each Steward, and her mail's link are one person; Bob's key confirms, one start", { timeout: 90_000 }, async () => {
  const id = await openIncident(THIRD);
  const before = starts(THIRD);
  const confirm = (t: TestApp, actionId: number, key: string) => t.request(`/v4/remediation/actions/${actionId}/confirm`, as(key, { method: "POST" }));
  const asked = await a.request(
    `/v4/incidents/${id}/retry`,
    as(KEYS.annaLaptop, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
  );
  expect(asked.status).toBe(202);
  const { action } = (await asked.json()) as { action: Action };
  expect(action.requestedBy).toBe("anna-laptop (person:anna@corp.example)");
  expect((await confirm(b, action.id, KEYS.annaScript)).status).toBe(403);
  expect((await b.request(await retryLink(id, "anna@corp.example"), post({ retry: "0" }))).status).toBe(403);
  await Bun.sleep(1_000); // both workers look three times: nothing is due
  expect(starts(THIRD)).toBe(before);
  expect((await actions(a, id)).map((x) => x.status)).toEqual(["awaiting"]);
  expect((await confirm(b, action.id, KEYS.bob)).status).toBe(202);
  await waitFor(async () => ["started", "ended"].includes((await actions(a, id))[0]?.status ?? "") || undefined, {
    what: "the confirmed retry to start",
    timeoutMs: 30_000,
  });
  await Bun.sleep(1_000); // both workers look three times more
  expect(starts(THIRD)).toBe(before + 1);
  expect((await actions(b, id))[0]).toMatchObject({ confirmedBy: "bob-laptop (person:bob@corp.example)" });
});

test("a direct start (Butler's path) asked on node-a waits for a second person: Anna's other key on node-b is refused, Bob's on node-b confirms, one start", {
  timeout: 90_000,
}, async () => {
  const before = starts(FOURTH);
  const startOn = (t: TestApp, key: string) =>
    t.request(`/v4/reloadtask/${FOURTH}/start`, as(key, { method: "POST", headers: { "content-type": "application/json" } }));
  const asked = await startOn(a, KEYS.annaLaptop);
  expect(asked.status).toBe(202);
  expect(await asked.json()).toMatchObject({ awaiting: true, totalTasksStarted: 0 });
  expect((await startOn(b, KEYS.annaScript)).status).toBe(403);
  await Bun.sleep(1_000); // both workers look three times: nothing is due
  expect(starts(FOURTH)).toBe(before);
  expect((await startOn(b, KEYS.bob)).status).toBe(202);
  await waitFor(() => starts(FOURTH) > before || undefined, { what: "the confirmed direct start", timeoutMs: 30_000 });
  await Bun.sleep(1_000); // both workers look three times more
  expect(starts(FOURTH)).toBe(before + 1);
});
