// `steward alert preview` says a reason's time as every CLI line does (src/platform/core/time-text.ts): on the site's
// clock with its offset, "2026-11-24 00:00 +01:00", not the ISO instant the route's check wrote.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { formatPreview } from "../../../../src/show/cli/alert";
import { matchRoute } from "../../../../src/tell/notify/routing";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

test("a route's activeTimes reason is on the site's clock in the CLI's format", () => {
  const cfg = parseConfigText(
    `channels:\n  h: { type: webhook, url: "http://x" }\nroutes:
  - { name: team, on: [task.failed], to: [h], activeTimes: { timeZone: Europe/Stockholm, intervals: [{ weekdays: [mon-fri], times: [{ from: "08:00", to: "17:00" }] }] } }
`,
    "t.yaml",
    "/tmp",
  ).config;
  const night = syntheticTaskEvent({ outcome: "failed", nowMs: Date.parse("2026-11-23T23:00:00Z") });
  const m = matchRoute(cfg.routes[0]!, night);
  expect(m.matched).toBe(false);
  const reason = m.matched ? "" : m.reason;
  expect(reason).toContain("2026-11-23T23:00:00.000Z"); // what the API and --json keep
  const out = formatPreview(
    { event: night, testMode: false, routes: [{ route: "team", matched: false, reason, channels: [], skippedRecipients: [] }], deliveries: [] },
    "Europe/Stockholm",
  );
  expect(out).toContain("✘ team: activeTimes: 2026-11-24 00:00 +01:00 is outside the route's active times (Europe/Stockholm)");
  expect(out).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}/);
});
