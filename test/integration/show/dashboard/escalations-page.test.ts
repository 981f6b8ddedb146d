// Escalations on the dashboard's incidents page (one Steward, SQLite, manual clock, local webhook receivers): an open
// incident whose route escalates shows its pending timer on its row (the route it goes to, when it is due), then the
// fired one once the next route was told; the Escalations table lists every timer, pending first, with why it settled
// (acknowledged in time: stopped). Route names are escaped.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ManualClock } from "../../../../src/platform/core/clock";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { type ManualClockApp, startManualClockApp } from "../../../helpers/manual-clock-app";
import { waitFor } from "../../../helpers/wait-for";
import type { HttpReceiver } from "../../tell/notify/receivers";

const MIN = 60_000;
const START = Date.parse("2026-11-23T09:00:00Z");

let m: ManualClockApp | undefined;
let rx: HttpReceiver;
let clock: ManualClock;
let t: TestApp;

beforeAll(async () => {
  m = await startManualClockApp(
    START,
    (url) => `channels:
  team: { type: webhook, url: "${url}/team" }
  oncall: { type: webhook, url: "${url}/oncall" }
routes:
  - { name: team-day, on: [task.failed, task.recovered], to: [team], escalate: { after: 30m, to: "night<phone>" } }
  - { name: "night<phone>", on: [task.failed], to: [oncall] }
`,
  );
  ({ t, clock, rx } = m);
});

afterAll(() => m?.stop());

async function fail(name: string): Promise<TaskEvent> {
  // As heard from the Scheduler (a test event opens no incident).
  const e: TaskEvent = {
    ...syntheticTaskEvent({ outcome: "failed", taskName: name, taskId: `id-${name.replace(/\W/g, "")}`, nowMs: clock.now() }),
    source: "udp",
  };
  const out = await t.app.incidents!.annotate(e);
  for (const x of out) await t.app.bus.emit(x.kind, x);
  return out[0]!;
}

const page = async () => (await (await t.request("/ui/incidents")).text()).split("Closed in the last 7 days")[0]!;
/** The escalation cell of an incident's row. */
const cell = (html: string, incident: number) => {
  const row = html.split(`data-incident="${incident}"`)[1]?.split("</tr>")[0] ?? "";
  return row.split('data-role="escalation"')[1] ?? "";
};
const escalationsTable = (html: string) => html.split("<h2>Escalations</h2>")[1] ?? "";

test("pending on the incident's row with its route and due time, then fired; the table lists each timer with why it settled", async () => {
  const sales = await fail("Sales load");
  const hr = await fail("HR load");
  await waitFor(async () => cell(await page(), hr.incident!.id).includes('data-state="pending"'), { what: "the pending timers on the page" });

  let html = await page();
  expect(cell(html, sales.incident!.id)).toContain('data-state="pending"');
  expect(cell(html, sales.incident!.id)).toContain("night&lt;phone&gt;");
  expect(cell(html, sales.incident!.id)).toContain('datetime="2026-11-23T09:30:00.000Z"');
  expect(escalationsTable(html)).toContain(`#${sales.incident!.id}`);
  expect(escalationsTable(html)).toContain("team-day");

  // HR is acknowledged in time; Sales is not.
  await clock.advance(10 * MIN);
  expect(
    (await t.request(`/v4/incidents/${hr.incident!.id}/acknowledge`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status,
  ).toBe(200);
  await clock.advance(21 * MIN);
  await waitFor(() => rx.requests.some((r) => r.path === "/oncall"), { what: "the escalation" });
  await waitFor(async () => cell(await page(), sales.incident!.id).includes('data-state="fired"'), { what: "the fired timer on the page" });

  html = await page();
  expect(cell(html, sales.incident!.id)).toContain('datetime="2026-11-23T09:30:00.000Z"'); // fired when due
  expect(cell(html, sales.incident!.id)).not.toContain('data-state="pending"');
  // An acknowledged incident's stopped timer is not on its row, but in the table with the reason.
  expect(cell(html, hr.incident!.id)).not.toContain("data-state");
  const table = escalationsTable(html);
  expect(table).toMatch(/data-state="fired"[\s\S]*sent on route night&lt;phone&gt;/);
  expect(table).toMatch(/data-state="stopped"[\s\S]*acknowledged by/);
  // Fired before stopped (settled ones newest first: both settled at 09:30, the order of states decides).
  expect(table.indexOf('data-state="fired"')).toBeLessThan(table.indexOf('data-state="stopped"'));
});
