// Issue 103: a key created at run time names its person, as a config key does, on SQLite and on PostgreSQL.
// POST /v4/admin/apikeys takes `person` (checked like security.apiKeys[].person: a bad one is a 400 naming the field),
// GET /v4/admin/apikeys lists it, and the two-person rule counts the key as that person: Anna's run-time key asks for a
// direct start, her config key cannot confirm it (one person, 403), Bob's run-time key can, and the task starts once.
// One person in two forms (an address in capitals and in decomposed Unicode) is one person; the refusal names the
// key as it was given.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simCertDir } from "../../../helpers/sim-certs";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { intakeYaml } from "../../hear/intake/harness";

const TASK = "9e50a000-0000-4000-8000-000000000001";
const TASK2 = "9e50a000-0000-4000-8000-000000000002";
const SITE = `
site: { name: Run-time keys and people }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: Stock, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${TASK}, name: Reload Stock, type: reload, app: Stock, maxRetries: 0 }
  - { id: ${TASK2}, name: Reload Prices, type: reload, app: Stock, maxRetries: 0 }
`;

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`run-time keys name a person (${backend})`, () => {
    const KEYS = { admin: generateApiKey(), annaConfig: generateApiKey() };
    let dir: TempDir;
    let sim: Simulator;
    let pg: PostgresService | undefined;
    let t: TestApp;
    const as = (key: string, init: RequestInit = {}): RequestInit => ({
      ...init,
      headers: { "content-type": "application/json", "x-api-key": key, ...(init.headers as Record<string, string>) },
    });
    const createKey = async (body: unknown) => t.request("/v4/admin/apikeys", as(KEYS.admin, { method: "POST", body: JSON.stringify(body) }));
    const start = (key: string, task = TASK) => t.request(`/v4/reloadtask/${task}/start`, as(key, { method: "POST" }));
    const starts = () => sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${TASK}/start`)).length;

    beforeAll(async () => {
      dir = createTempDir(`steward-key-person-${backend}-`);
      sim = await startSimulator({ site: SITE, certDir: simCertDir(join(dir.path, "certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
      let store = "";
      if (backend === "postgres") {
        pg = await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("key_person")}\n    instanceName: node-a\n`;
      }
      t = createTestApp(
        `${store}${intakeYaml(
          sim,
          {},
          `
remediation:
  pollInterval: 1s
  approval: { directStarts: two-person }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(KEYS.admin)}", scopes: [admin] }
    - { name: anna-config, hash: "${hashApiKey(KEYS.annaConfig)}", scopes: [tasks], person: anna@corp.example }
`,
        )}`,
        { dir: join(dir.path, "steward") },
      );
      await t.app.start();
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await sim?.stop();
      await pg?.stop();
      dir?.remove();
    });

    test("POST /v4/admin/apikeys takes person, refuses a malformed one naming the field, and the list shows it", async () => {
      const bad = await createKey({ name: "anna-bad", scopes: ["tasks"], person: "Anna Berg <anna@corp.example>" });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain("person");
      const made = await createKey({ name: "anna-runtime", scopes: ["tasks"], person: "anna@corp.example" });
      expect(made.status).toBe(201);
      expect(await made.json()).toMatchObject({ name: "anna-runtime", person: "anna@corp.example", source: "store" });
      const list = (await (await t.request("/v4/admin/apikeys", as(KEYS.admin))).json()) as Array<{ name: string; person?: string; source: string }>;
      expect(list.find((k) => k.name === "anna-runtime")).toMatchObject({ person: "anna@corp.example", source: "store" });
      expect(list.find((k) => k.name === "anna-config")).toMatchObject({ person: "anna@corp.example", source: "config" });
    });

    test("the two-person rule counts a run-time key as its person: Anna's config key cannot confirm her run-time key's start, Bob's can", async () => {
      const anna = ((await (await createKey({ name: "anna-laptop", scopes: ["tasks"], person: "anna@corp.example" })).json()) as { key: string }).key;
      const bob = ((await (await createKey({ name: "bob-laptop", scopes: ["tasks"], person: "bob@corp.example" })).json()) as { key: string }).key;
      const first = await start(anna);
      expect(first.status).toBe(202);
      expect(await first.json()).toMatchObject({ awaiting: true, action: { requestedBy: "anna-laptop (person:anna@corp.example)" } });
      const same = await start(KEYS.annaConfig);
      expect(same.status).toBe(403);
      expect(((await same.json()) as { error: string }).error).toContain("not the same one again");
      expect(starts()).toBe(0);
      const second = await start(bob);
      expect(second.status).toBe(202);
      expect(await second.json()).toMatchObject({ confirmed: { firstBy: "anna-laptop (person:anna@corp.example)" } });
      await waitFor(() => starts() === 1, { what: "the confirmed start to reach QRS" });
    });

    test("one person in two forms is one person, and the action shows the form each key gave", async () => {
      // Åsa's laptop key was made with "å" as one letter, her script's key from a directory export as a + ring, in capitals.
      const laptop = ((await (await createKey({ name: "asa-laptop", scopes: ["tasks"], person: "\u00e5sa@corp.example" })).json()) as { key: string }).key;
      const script = ((await (await createKey({ name: "asa-script", scopes: ["tasks"], person: "A\u030aSA@Corp.Example" })).json()) as { key: string }).key;
      const first = await start(laptop, TASK2);
      expect(first.status).toBe(202);
      expect(await first.json()).toMatchObject({ awaiting: true });
      const again = await start(script, TASK2);
      expect(again.status).toBe(403);
      const why = ((await again.json()) as { error: string }).error;
      // Shown as it was given, compared in one form.
      expect(why).toContain("asa-laptop (person:\u00e5sa@corp.example)");
    });
  });
}
