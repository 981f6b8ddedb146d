// Issue 84, point 4: every kind that pages is an incident, and GET /v4/incidents, the assistant's `incidents`, the
// dashboard's Incidents page (/v4/incidents/by-cause) and the morning report list one set. A node's service stops, a
// job misses its check-in, a task misses its start, a freshness promise is at risk then late, a data check fails, a
// task fails: six incidents everywhere, none a cause heading with nothing under it. Their ends close them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { DomainEvent, TaskEvent } from "../../../../src/platform/events/types";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import type { IncidentView } from "../../../../src/tell/incidents/routes";
import { syntheticDataCheckEvent, syntheticServiceEvent, syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { syntheticCheckinEvent } from "../../../../src/watch/checkins/samples";
import { syntheticFreshnessEvent } from "../../../../src/watch/freshness/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { failedRun } from "../../../helpers/failed-runs";
import { freeTcpPort } from "../../../helpers/free-port";
import { type HttpReceiver, startHttpReceiver } from "../notify/receivers";

const KEY = generateApiKey();
let t: TestApp;
let rx: HttpReceiver;
let base: string;

beforeAll(async () => {
  rx = startHttpReceiver();
  const port = await freeTcpPort();
  base = `http://127.0.0.1:${port}`;
  t = createTestApp(`http: { host: 127.0.0.1, port: ${port} }
security:
  apiKeys: [{ name: admin, hash: "${hashApiKey(KEY)}", scopes: [admin] }]
mcp: { enabled: true }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [task.failed, service.stopped, checkin.missed, task.missed, app.freshness_warning, app.freshness_breached, data.check_failed], to: [hook] }
`);
  await t.app.start();
});
afterAll(async () => {
  await t?.close();
  await rx?.stop();
});

const get = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${base}${path}`, { headers: { "x-api-key": KEY } });
  expect({ path, status: res.status }).toEqual({ path, status: 200 });
  return (await res.json()) as T;
};
const emit = (e: DomainEvent) => t.app.bus.emit(e.kind, e as never);
const openIds = async () => (await get<{ incidents: IncidentView[] }>("/v4/incidents?status=open")).incidents.map((i) => i.id).sort((a, b) => a - b);

async function mcpIncidentIds(): Promise<number[]> {
  const client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { "x-api-key": KEY } } }));
  try {
    const r = (await client.callTool({ name: "incidents", arguments: { status: "open" } })) as { structuredContent: { incidents: Array<{ id: number }> } };
    return r.structuredContent.incidents.map((i) => i.id).sort((a, b) => a - b);
  } finally {
    await client.close();
  }
}

const now = Date.now();
const failure: TaskEvent = failedRun("orders");

test("six kinds that page are six open incidents in the API, the assistant, the dashboard's list and the report", async () => {
  await emit(syntheticServiceEvent({ state: "stopped", host: "sense3.corp.example", service: "QlikSenseSchedulerService", nowMs: now }));
  await emit(syntheticCheckinEvent("checkin.missed", { nowMs: now }));
  await emit(syntheticWatchdogEvent("task.missed", { host: "sense1.corp.example", nowMs: now }));
  await emit(syntheticFreshnessEvent("app.freshness_warning", { nowMs: now }));
  await emit(syntheticFreshnessEvent("app.freshness_breached", { nowMs: now + 1_000 }));
  await emit(syntheticDataCheckEvent("data.check_failed", { nowMs: now }));
  for (const e of await t.app.incidents!.annotate(failure)) await emit(e);

  const ids = await openIds();
  expect(ids).toHaveLength(6);
  const list = (await get<{ incidents: IncidentView[] }>("/v4/incidents?status=open")).incidents;
  // The freshness promise's warning and breach are one incident; no title is empty.
  expect(list.every((i) => i.title.length > 0)).toBe(true);
  expect(list.filter((i) => i.title.includes("sales-morning") || i.lastKind.startsWith("app.freshness"))).toHaveLength(1);

  const byCause = await get<{ causes: Array<{ cause: { id: number; title: string } | null; incidents: IncidentView[] }> }>("/v4/incidents/by-cause");
  expect(byCause.causes.flatMap((g) => g.incidents.map((i) => i.id)).sort((a, b) => a - b)).toEqual(ids);
  // No cause heading with nothing under it: the node's cause holds its stopped service's incident.
  expect(byCause.causes.filter((g) => g.incidents.length === 0).map((g) => g.cause?.title)).toEqual([]);

  expect(await mcpIncidentIds()).toEqual(ids);

  const report = await get<{ sections: Array<{ title: string; lines: Array<{ text: string }> }> }>("/v4/report");
  const stillOpen = report.sections.find((s) => s.title === "Still open")!.lines.map((l) => l.text);
  expect(stillOpen).toHaveLength(6);
  // A condition that is no failed run is not counted as "0 failures".
  expect(stillOpen.filter((l) => l.includes("(0 failures)"))).toEqual([]);

  const page = await (await fetch(`${base}/ui/incidents`, { headers: { "x-api-key": KEY } })).text();
  for (const id of ids) expect(page).toContain(`data-incident="${id}"`);
});

test("their ends close them: nothing is left open", async () => {
  await emit(syntheticServiceEvent({ state: "started", host: "sense3.corp.example", service: "QlikSenseSchedulerService", nowMs: now + 60_000 }));
  await emit(syntheticCheckinEvent("checkin.recovered", { nowMs: now + 60_000 }));
  await emit(syntheticWatchdogEvent("task.on_track", { host: "sense1.corp.example", nowMs: now + 60_000, condition: "missed" }));
  await emit(syntheticFreshnessEvent("app.freshness_recovered", { nowMs: now + 60_000 }));
  await emit(syntheticDataCheckEvent("data.check_passed", { nowMs: now + 60_000 }));
  const ok: TaskEvent = {
    ...syntheticTaskEvent({ kind: "task.succeeded", outcome: "succeeded", taskName: "Load orders", taskId: "task-orders", nowMs: now + 60_000 }),
    source: "udp",
  };
  for (const e of await t.app.incidents!.annotate(ok)) await emit(e);
  expect(await openIds()).toEqual([]);
  expect(await mcpIncidentIds()).toEqual([]);
});
