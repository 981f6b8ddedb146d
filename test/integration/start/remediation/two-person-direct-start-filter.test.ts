// A direct start under the two-person rule (remediation.approval.directStarts: two-person) of a task the start
// allowlist (control.startTaskFilter) refuses is refused at the ask: 403 with a JSON body naming the filter, nothing
// recorded for a second person, nothing started, the refusal audited as an unheld start's is. A task the allowlist
// lets through is held for a second person as before. Against the simulator.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { type Harness, startHarness } from "../../hear/intake/harness";

const LISTED = "f17e0000-0000-4000-8000-000000000001";
const UNLISTED = "f17e0000-0000-4000-8000-000000000002";
const SITE = `
site: { name: Filtered direct start site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
tags: [nightly]
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: Sales, owner: INTERNAL\\sa_scheduler }
  - { name: Finance, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${LISTED}, name: Reload Sales, type: reload, app: Sales, maxRetries: 0, tags: [nightly] }
  - { id: ${UNLISTED}, name: Reload Finance, type: reload, app: Finance, maxRetries: 0 }
`;
const KEYS = { admin: generateApiKey(), anna: generateApiKey(), bob: generateApiKey() };

let dir: TempDir;
let h: Harness;

const as = (key: string, init: RequestInit = {}): RequestInit => ({ ...init, headers: { "content-type": "application/json", "x-api-key": key } });
const start = (key: string, taskId: string) => h.t.request(`/v4/reloadtask/${taskId}/start`, as(key, { method: "POST" }));
const starts = (taskId: string) =>
  h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;
const audited = async (action: string, target: string) => {
  await h.t.app.audit.flush();
  const r = await h.t.request(`/v4/audit?action=${action}&limit=50`, as(KEYS.admin));
  const { entries } = (await r.json()) as { entries: Array<{ target: string; result: string; actor: { name: string } }> };
  return entries.filter((e) => e.target === target).map((e) => [e.result, e.actor.name]);
};

beforeAll(async () => {
  dir = createTempDir("steward-direct-filter-");
  h = await startHarness({
    dir: dir.path,
    site: SITE,
    extraYaml: `
control:
  startTaskFilter: { enabled: true, tags: [nightly] }
remediation:
  pollInterval: 1s
  approval: { directStarts: two-person }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(KEYS.admin)}", scopes: [admin] }
    - { name: key-anna, hash: "${hashApiKey(KEYS.anna)}", scopes: [tasks], person: anna@corp.example }
    - { name: key-bob, hash: "${hashApiKey(KEYS.bob)}", scopes: [tasks], person: bob@corp.example }
`,
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
  dir?.remove();
});

test("a start the allowlist refuses is refused at the ask: 403 naming control.startTaskFilter, nothing held, nothing started", async () => {
  const r = await start(KEYS.anna, UNLISTED);
  expect(r.status).toBe(403);
  const body = (await r.json()) as { code: string; error: string; details: Record<string, unknown> };
  expect(body).toMatchObject({ code: "FORBIDDEN", details: { field: "taskId", filter: "control.startTaskFilter" } });
  expect(body.error).toContain("Reload Finance");
  expect(body.error).toContain("not on the start allowlist (control.startTaskFilter)");
  // Nothing waits for a second person: Bob's same start is refused the same way, and no action was asked for.
  expect((await start(KEYS.bob, UNLISTED)).status).toBe(403);
  expect(await audited("remediation.request", UNLISTED)).toEqual([]);
  await h.t.app.remediation?.lookNow();
  expect(starts(UNLISTED)).toBe(0);
  // Audited as the start's refusal, by the person who asked, as an unheld start refused by the allowlist is.
  expect(await audited("task.start", UNLISTED)).toEqual([
    ["denied", "key-bob (person:bob@corp.example)"],
    ["denied", "key-anna (person:anna@corp.example)"],
  ]);
});

test("a start the allowlist lets through is still held for a second person (202), and starts once confirmed", async () => {
  const first = await start(KEYS.anna, LISTED);
  expect(first.status).toBe(202);
  expect(await first.json()).toMatchObject({ awaiting: true, action: { status: "awaiting", taskName: "Reload Sales" } });
  expect(starts(LISTED)).toBe(0);
  const second = await start(KEYS.bob, LISTED);
  expect(second.status).toBe(202);
  await h.t.app.remediation?.lookNow();
  expect(starts(LISTED)).toBe(1);
});
