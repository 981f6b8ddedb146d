// A silence (or a snooze) whose start has just passed starts now: the time a person took between filling in the form
// and pressing, a date-time field's minute precision. Before, such a start was kept in the past (the silence claimed
// minutes it never held, and a given duration ended that much early); a start more than 5 minutes back is refused,
// saying by how much and what to do.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { SilenceView } from "../../../../src/tell/silences";
import { type ManualClockApp, startManualClockApp } from "../../../helpers/manual-clock-app";

const NOW = Date.parse("2026-11-26T07:04:30Z");
let m: ManualClockApp;

beforeAll(async () => {
  m = await startManualClockApp(
    NOW,
    (url) => `notify: { timeZone: UTC }\nchannels:\n  hook: { type: webhook, url: "${url}/hook" }\nroutes:\n  - { on: [task.failed], to: [hook] }\n`,
  );
});
afterAll(() => m?.stop());

const create = (body: Record<string, unknown>) =>
  m.t.request("/v4/silences", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ matcher: { kinds: ["task.failed"] }, reason: "patching qlik2", ...body }),
  });

test("a start seconds ago, or the minute a date-time field sent, starts now and lasts its full duration", async () => {
  const secondsAgo = await create({ startsAt: new Date(NOW - 40_000).toISOString(), duration: "1h" });
  expect(secondsAgo.status).toBe(201);
  const a = (await secondsAgo.json()) as SilenceView;
  expect([a.state, a.startsAt, a.endsAt]).toEqual(["active", new Date(NOW).toISOString(), new Date(NOW + 3_600_000).toISOString()]);

  // What the dashboard's field sends: the site's wall clock, to the minute (07:00 at 07:04:30).
  const minute = await create({ startsAt: "2026-11-26T07:00", endsAt: "2026-11-26T09:00" });
  expect(minute.status).toBe(201);
  const b = (await minute.json()) as SilenceView;
  expect([b.state, b.startsAt, b.endsAt]).toEqual(["active", new Date(NOW).toISOString(), "2026-11-26T09:00:00.000Z"]);
});

test("a start more than 5 minutes back is refused, naming the field, how far back and the fix", async () => {
  const res = await create({ startsAt: "2026-11-26T06:58:00Z", duration: "1h" });
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: string; details?: { field?: string } };
  expect(body.error).toBe(
    "startsAt is 6 minutes in the past (2026-11-26T06:58:00.000Z); a start at most 5 minutes ago starts now: leave it empty to start now",
  );
  expect(body.details?.field).toBe("startsAt");
});
