// The assistant resolves by hand (issue 79) only when the admin allows it: `resolve_incident` is not offered without
// `resolveIncident` in mcp.allowActions; with it, an incident (id) or a cause with every incident it holds (causeId)
// closes as resolved by the caller's key, from the assistant, audited as an mcp.action and as the REST write.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import type { IncidentView } from "../../../../src/tell/incidents/routes";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { emitFailure, failedRun } from "../../../helpers/failed-runs";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";

const admin = generateApiKey();

async function start(allow: string): Promise<{ t: TestApp; client: Client }> {
  const t = createTestApp(`security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(admin)}", scopes: [admin] }
mcp: { enabled: true, allowActions: [${allow}] }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [task.failed, task.recovered], to: [hook] }
`);
  await t.app.start();
  const client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${t.app.server!.url().replace(/\/$/, "")}/mcp`), { requestInit: { headers: { "x-api-key": admin } } }),
  );
  return { t, client };
}

let rx: HttpReceiver;
beforeAll(() => {
  rx = startHttpReceiver();
});
afterAll(async () => {
  await rx?.stop();
});

describe("resolve_incident", () => {
  let off: { t: TestApp; client: Client };
  let on: { t: TestApp; client: Client };
  beforeAll(async () => {
    off = await start("acknowledgeIncident");
    on = await start("resolveIncident");
  }, 60_000);
  afterAll(async () => {
    for (const s of [off, on]) {
      await s?.client.close();
      await s?.t.close();
    }
  });

  const rest = async <T>(t: TestApp, path: string): Promise<T> => (await (await t.request(path, { headers: { "x-api-key": admin } })).json()) as T;
  const call = async (client: Client, args: Record<string, unknown>) =>
    (await client.callTool({ name: "resolve_incident", arguments: args })) as { isError?: boolean; content: Array<{ text?: string }> };

  test("is not offered unless mcp.allowActions lists resolveIncident", async () => {
    expect((await off.client.listTools()).tools.map((x) => x.name)).not.toContain("resolve_incident");
    expect((await on.client.listTools()).tools.map((x) => x.name)).toContain("resolve_incident");
  });

  test("resolves an incident, then a cause with every incident it holds, as the key from the assistant", async () => {
    const { t, client } = on;
    await emitFailure(t, failedRun(5));
    for (const n of [1, 2]) await emitFailure(t, failedRun(n, { source: "DWH" }));
    const cause = await waitFor(
      async () => (await rest<{ causes: Array<{ id: number; stillFailing: number }> }>(t, "/v4/causes?status=open")).causes.find((c) => c.stillFailing === 2),
      { what: "the DWH cause" },
    );
    const lone = (await rest<{ incidents: IncidentView[] }>(t, "/v4/incidents?status=open")).incidents.find((i) => i.title === "Load 5")!;

    const both = await call(client, { id: lone.id, causeId: cause.id });
    expect(both.isError).toBe(true);
    expect(both.content[0]?.text).toContain("exactly one of id");

    expect((await call(client, { id: lone.id, note: "data fixed by hand" })).isError).toBeFalsy();
    const closed = await rest<IncidentView>(t, `/v4/incidents/${lone.id}`);
    expect(closed.closedSummary).toBe("resolved by key-admin (assistant): data fixed by hand");

    expect((await call(client, { causeId: cause.id })).isError).toBeFalsy();
    const open = (await rest<{ incidents: IncidentView[] }>(t, "/v4/incidents?status=open")).incidents;
    expect(open).toEqual([]);
    const again = await call(client, { causeId: cause.id });
    expect(again.isError).toBe(true);

    const audit = await rest<{ entries: Array<{ action: string; target: string; result: string; details: Record<string, unknown> }> }>(t, "/v4/audit?limit=50");
    expect(audit.entries.find((e) => e.action === "mcp.action" && e.target === `resolve_incident incident ${lone.id}`)).toMatchObject({ result: "ok" });
    expect(audit.entries.find((e) => e.target === `POST /v4/causes/${cause.id}/resolve` && e.details.status === 200)?.details).toMatchObject({
      op: "cause.resolve",
      from: "mcp",
    });
  });
});
