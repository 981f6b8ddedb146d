// The local PagerDuty the on-call tests and the chaos scenario send to refuses what PagerDuty's Events API v2 refuses:
// were it lenient, a malformed request from Steward would pass every test and fail in production.
import { afterAll, expect, test } from "bun:test";
import { startPagerDutyReceiver } from "../../helpers/pagerduty-receiver";

const pd = startPagerDutyReceiver();
afterAll(() => pd.stop());

const KEY = "R0123456789abcdef0123456789abcde";
const trigger = {
  routing_key: KEY,
  event_action: "trigger",
  dedup_key: "steward-incident-1",
  payload: { summary: "Reload failed", source: "sense1.corp.example", severity: "error" },
};
const send = (body: unknown, init: { path?: string; method?: string; type?: string } = {}) =>
  fetch(`${pd.url}${init.path ?? "/v2/enqueue"}`, {
    method: init.method ?? "POST",
    headers: { "content-type": init.type ?? "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

test("a trigger, an acknowledge and a resolve of one dedup key: 202 each, one alert, acknowledged then resolved", async () => {
  const answer = await send(trigger);
  expect(answer.status).toBe(202);
  expect(await answer.json()).toEqual({ status: "success", message: "Event processed", dedup_key: "steward-incident-1" });
  expect(pd.alerts).toEqual([{ key: "steward-incident-1", incident: 1, status: "triggered", deduplicated: 0 }]);
  expect((await send({ routing_key: KEY, event_action: "acknowledge", dedup_key: "steward-incident-1" })).status).toBe(202);
  expect(pd.alerts[0]!.status).toBe("acknowledged");
  expect((await send({ routing_key: KEY, event_action: "resolve", dedup_key: "steward-incident-1" })).status).toBe(202);
  expect(pd.alerts[0]!.status).toBe("resolved");
  expect(pd.rejected).toEqual([]);
});

const { severity: _s, ...withoutSeverity } = trigger.payload;
const malformed: Array<[string, unknown, { path?: string; method?: string; type?: string }?]> = [
  ["another path", trigger, { path: "/v2/events" }],
  ["GET", undefined, { method: "GET" }],
  ["a body that is no JSON", "{routing_key:", {}],
  ["Content-Type text/plain", trigger, { type: "text/plain" }],
  ["a routing key of 31 characters", { ...trigger, routing_key: KEY.slice(1) }],
  ["no routing key", { ...trigger, routing_key: undefined }],
  ["event_action escalate", { ...trigger, event_action: "escalate" }],
  ["a trigger without payload", { ...trigger, payload: undefined }],
  ["a trigger without payload.source", { ...trigger, payload: { ...trigger.payload, source: undefined } }],
  ["a trigger without payload.severity", { ...trigger, payload: withoutSeverity }],
  ["severity fatal", { ...trigger, payload: { ...trigger.payload, severity: "fatal" } }],
  ["a summary of 1025 characters", { ...trigger, payload: { ...trigger.payload, summary: "x".repeat(1025) } }],
  ["a dedup key of 256 characters", { ...trigger, dedup_key: "k".repeat(256) }],
  ["an acknowledge without dedup_key", { routing_key: KEY, event_action: "acknowledge" }],
  ["a resolve without dedup_key", { routing_key: KEY, event_action: "resolve" }],
  ["a field the API does not have", { ...trigger, incident_key: "x" }],
  ["a timestamp that is no date", { ...trigger, payload: { ...trigger.payload, timestamp: "yesterday" } }],
];

// Rows as objects: a callback taking more parameters than a row has is read by bun as waiting for a done callback.
test.each(malformed.map(([what, body, init]) => ({ what, body, init })))("refused with 400 and kept out of the alerts: $what", async ({ body, init }) => {
  const before = { accepted: pd.accepted.length, rejected: pd.rejected.length, alerts: pd.alerts.length };
  const answer = await send(body, init);
  expect(answer.status).toBe(400);
  expect(((await answer.json()) as { status: string }).status).toBe("invalid event");
  expect(pd.rejected.length).toBe(before.rejected + 1);
  expect(pd.accepted.length).toBe(before.accepted);
  expect(pd.alerts.length).toBe(before.alerts);
});

test("an acknowledge or resolve of a key with no open alert is taken (202) but dropped, as PagerDuty drops it", async () => {
  expect((await send({ routing_key: KEY, event_action: "resolve", dedup_key: "steward-incident-99" })).status).toBe(202);
  expect(pd.droppedActions).toEqual([{ action: "resolve", key: "steward-incident-99" }]);
  expect(pd.alerts.some((a) => a.key === "steward-incident-99")).toBe(false);
});
