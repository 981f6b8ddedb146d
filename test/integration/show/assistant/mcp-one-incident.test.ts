// The assistant reads and acts on the one incident the page named: `causes` lists the shared causes and, beside them,
// the failures that are causes of one (`alone`); `snooze_incident` on one incident of a cause snoozes every incident of
// that cause; `acknowledge_incident` acknowledges the cause with it. Before, the assistant saw two models: causes
// without the lone failures, and a snooze or acknowledgement of one task's incident only.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { unmarkSiteData } from "../../../helpers/site-data";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { emitFailure, failedRun } from "../../../helpers/failed-runs";

const admin = generateApiKey();
let t: TestApp;
let rx: HttpReceiver;
let client: Client;

async function fail(i: number, source?: string): Promise<void> {
  const e = failedRun(i, { source });
  if (!source) Object.assign(e, { errorClass: "script", errorLine: "Field 'OrderKey' not found" });
  await emitFailure(t, e);
}

const rest = async <T>(path: string): Promise<T> => (await (await t.request(path, { headers: { "x-api-key": admin } })).json()) as T;

async function call(name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const r = (await client.callTool({ name, arguments: args })) as {
    isError?: boolean;
    structuredContent?: Record<string, unknown>;
    content: Array<{ text?: string }>;
  };
  expect({ name, error: r.isError ? r.content[0]?.text : undefined }).toEqual({ name, error: undefined });
  // Titles and task names come marked as the site's (issue 75, M1): read here as the texts they hold.
  return unmarkSiteData(r.structuredContent) as Record<string, unknown>;
}

beforeAll(async () => {
  rx = startHttpReceiver();
  t = createTestApp(`security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(admin)}", scopes: [admin] }
mcp: { enabled: true, allowActions: [acknowledgeIncident, snoozeIncident] }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [task.failed, task.recovered], to: [hook] }
`);
  await t.app.start();
  for (const i of [1, 2]) await fail(i, "DWH");
  await fail(7);
  await waitFor(() => rx.requests.length >= 2 || undefined, { what: "the cause's page and the lone failure's" });
  await waitFor(
    async () => ((await rest<{ causes: Array<{ stillFailing: number }> }>("/v4/causes?status=open")).causes[0]?.stillFailing === 2 ? true : undefined),
    {
      what: "the DWH cause with both tasks",
    },
  );
  client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${t.app.server!.url().replace(/\/$/, "")}/mcp`), { requestInit: { headers: { "x-api-key": admin } } }),
  );
}, 60_000);

afterAll(async () => {
  await client?.close();
  await t?.close();
  await rx?.stop();
});

test("causes lists the shared cause and, beside it, the failure that is a cause of one", async () => {
  const answer = (await call("causes")) as { causes: Array<{ title: string; stillFailing: number }>; alone: Array<{ title: string; cause: unknown }> };
  expect(answer.causes.map((c) => [c.title, c.stillFailing])).toEqual([["connection errors from DWH", 2]]);
  expect(answer.alone.map((i) => [i.title, i.cause])).toEqual([["Load 7", null]]);
});

test("snooze_incident and acknowledge_incident on one incident act on its whole cause", async () => {
  const { incidents } = await rest<{ incidents: Array<{ id: number; title: string; cause: { id: number } | null }> }>("/v4/incidents?status=open");
  const members = incidents.filter((i) => i.cause !== null).map((i) => i.id);
  expect(members).toHaveLength(2);
  await call("snooze_incident", { id: members[0], duration: "1h", reason: "DWH maintenance" });
  const { silences } = await rest<{ silences: Array<{ matcher: { incidentIds?: number[] } }> }>("/v4/silences?state=active");
  expect([...silences[0]!.matcher.incidentIds!].sort()).toEqual([...members].sort());

  await call("acknowledge_incident", { id: members[1], note: "on it" });
  const { causes } = await rest<{ causes: Array<{ acknowledgedNote: string | null }> }>("/v4/causes?status=open");
  expect(causes[0]!.acknowledgedNote).toBe("on it");
  const after = await rest<{ incidents: Array<{ id: number; title: string; acknowledgedNote: string | null }> }>("/v4/incidents?status=open");
  expect(after.incidents.map((i) => [i.title, i.acknowledgedNote]).sort()).toEqual([
    ["Load 1", "on it"],
    ["Load 2", "on it"],
    ["Load 7", null],
  ]);
});
