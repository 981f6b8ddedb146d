// A cause's heading on the Incidents page (issue 74): a node down holds no task incident, so its heading is all there
// is of it. It shows the cause's own escalation timer as a row shows its incident's (pending, then fired), offers
// Acknowledge, Snooze and Resolve, and then says who acknowledged it and until when it is snoozed. Before, the timer
// was only in the Escalations table ("cause #N") and a cause holding no incident offered no Snooze.
// One Steward, SQLite, manual clock, a webhook receiver for the mail route and the night phone.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ManualClock } from "../../../../src/platform/core/clock";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticServiceEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { type ManualClockApp, startManualClockApp } from "../../../helpers/manual-clock-app";
import { waitFor } from "../../../helpers/wait-for";
import type { HttpReceiver } from "../../tell/notify/receivers";

const MIN = 60_000;
let m: ManualClockApp | undefined;
let rx: HttpReceiver;
let clock: ManualClock;
let t: TestApp;

beforeAll(async () => {
  m = await startManualClockApp(
    Date.parse("2026-11-26T01:00:00Z"),
    (url) => `channels:
  ops: { type: webhook, url: "${url}/ops" }
  oncall: { type: webhook, url: "${url}/oncall" }
routes:
  - { name: ops, on: [service.stopped, service.started], to: [ops], escalate: { after: 30m, to: night-phone } }
  - { name: night-phone, on: [service.stopped], to: [oncall] }
`,
  );
  ({ t, clock, rx } = m);
});

afterAll(() => m?.stop());

const nodeDown = async (host: string): Promise<ParentView> => {
  await t.app.bus.emit(
    "service.stopped",
    syntheticServiceEvent({ state: "stopped", host: `${host}.corp.example`, service: "QlikSenseSchedulerService", nowMs: clock.now() }),
  );
  return waitFor(
    async () =>
      ((await (await t.request("/v4/causes?status=open")).json()) as { causes: ParentView[] }).causes.find((c) => c.title === `Qlik services down on ${host}`),
    { what: `the cause of ${host}` },
  );
};

/** The heading row of a cause on /ui/incidents, and its cells by role. */
async function heading(causeId: number) {
  const body = await (await t.request("/ui/incidents")).text();
  const open = body.split("Closed in the last 7 days")[0]!;
  const from = open.indexOf(`<tr class="cause-heading" data-cause="${causeId}">`);
  if (from < 0) throw new Error(`no heading of cause #${causeId} on the page`);
  const row = open.slice(from, open.indexOf("</tr>", from));
  const cell = (role: string) => {
    const at = row.indexOf(`data-role="${role}"`);
    return at < 0 ? undefined : row.slice(at, row.indexOf("</td>", at));
  };
  return { row, ack: cell("ack"), escalation: cell("escalation") };
}

test("a node-down cause's heading shows its own escalation, pending and then fired", async () => {
  const node = await nodeDown("qlik2");
  await waitFor(() => rx.requests.find((r) => r.path === "/ops"), { what: "the node's page" });
  const pending = await heading(node.id);
  expect(pending.row).toContain("no task incident of its own");
  expect(pending.escalation).toContain('data-state="pending"');
  expect(pending.escalation).toContain("<b>night-phone</b>");

  await clock.advance(31 * MIN);
  await waitFor(() => rx.requests.find((r) => r.path === "/oncall"), { what: "the escalation" });
  const fired = await waitFor(
    async () => {
      const h = await heading(node.id);
      return h.escalation?.includes('data-state="fired"') ? h : undefined;
    },
    { what: "the fired escalation on the heading" },
  );
  expect(fired.escalation).not.toContain('data-state="pending"');
});

test("a cause holding no task incident offers Acknowledge, Snooze and Resolve, then says who acknowledged and who snoozed it", async () => {
  const node = await nodeDown("qlik3");
  const before = await heading(node.id);
  expect(before.ack).toContain(`data-action="ack-cause" data-id="${node.id}"`);
  expect(before.ack).toContain(`data-action="resolve-cause" data-id="${node.id}"`);
  // The snooze names the cause (the silence an alert's Snooze link makes), since it holds no incident to name.
  const snooze = /data-action="snooze" data-cause-id="(\d+)"/.exec(before.ack ?? "");
  expect(snooze?.[1]).toBe(String(node.id));

  // What the page's script posts for the first choice, then for Acknowledge.
  const choice = JSON.parse(/<option value="([^"]*)">/.exec(before.ack!)![1]!.replaceAll("&quot;", '"')) as Record<string, string>;
  const posted = await t.request("/v4/silences", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ matcher: { causeIds: [node.id] }, reason: `snoozed from the dashboard (${node.title})`, ...choice }),
  });
  expect(posted.status).toBe(201);
  const acked = await t.request(`/v4/causes/${node.id}/acknowledge`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ note: "restarting the service" }),
  });
  expect(acked.status).toBe(200);

  const after = await heading(node.id);
  expect(after.ack).toMatch(/<b>[^<]+<\/b>/);
  expect(after.ack).toContain("restarting the service");
  expect(after.ack).toContain('data-role="snooze"');
  expect(after.ack).toContain("Snoozed until");
  expect(after.ack).not.toContain('data-role="snooze-action"');
  expect(after.ack).toContain('data-action="resolve-cause"');
  // The timer, due later, stops then (acknowledged): the heading then shows no timer, as a row does for its own.
  expect(after.escalation).toContain('data-state="pending"');
  await clock.advance(31 * MIN);
  await waitFor(
    async () =>
      ((await (await t.request(`/v4/escalations?causeId=${node.id}`)).json()) as { escalations: Array<{ state: string }> }).escalations[0]?.state ===
        "stopped" || undefined,
    { what: "the acknowledged cause's timer stopped" },
  );
  expect((await heading(node.id)).escalation).toContain('<span class="muted">—</span>');
  expect(rx.requests.filter((r) => r.path === "/oncall")).toHaveLength(1);
});

test("the heading's Snooze of a node down keeps its escalation waiting until the snooze ends, as its alert's link does", async () => {
  const node = await nodeDown("qlik5");
  await waitFor(() => rx.requests.filter((r) => r.path === "/ops").length >= 3 || undefined, { what: "qlik5's page" });
  const posted = await t.request("/v4/silences", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ matcher: { causeIds: [node.id] }, reason: `snoozed from the dashboard (${node.title})`, duration: "2h" }),
  });
  expect(posted.status).toBe(201);
  await clock.advance(31 * MIN);
  const timer = await waitFor(
    async () => {
      const [e] = ((await (await t.request(`/v4/escalations?causeId=${node.id}`)).json()) as { escalations: Array<{ state: string; reason: string | null }> })
        .escalations;
      return e?.reason?.startsWith("waiting for the end of silence") ? e : undefined;
    },
    { what: "the snoozed cause's timer waiting" },
  );
  expect(timer.state).toBe("pending");
  expect(rx.requests.filter((r) => r.path === "/oncall")).toHaveLength(1);
  expect((await heading(node.id)).escalation).toContain('data-state="pending"');
});
