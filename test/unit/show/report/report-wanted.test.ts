// A report no route wants is not scheduled and does not ask for the site's zone (the machine's zone loads ICU's data at
// start, issue 69) nor arms a timer; once a route wants it (a config reload), it goes out at its next time in that zone.
import { expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createLogger } from "../../../../src/platform/core/logger";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import type { SiteEvent } from "../../../../src/platform/events/types";
import { DEFAULT_REPORTS } from "../../../../src/show/report/config";
import { createReportService } from "../../../../src/show/report/service";

test("a report no route wants asks no zone; once one wants it, it is sent at its next time in the site's zone", async () => {
  // Sunday 22 November 2026, 12:00 UTC.
  const clock = createManualClock(Date.UTC(2026, 10, 22, 12));
  let zoneAsked = 0;
  let wanted = false;
  const sent: Array<{ kind: string; at: number }> = [];
  const service = createReportService(DEFAULT_REPORTS, {
    clock,
    log: createLogger({ level: "silent", format: "json", secrets: createSecretRegistry(), write: () => {} }),
    host: "sense1",
    timeZone: () => {
      zoneAsked++;
      return "Europe/Stockholm";
    },
    wanted: (kind) => wanted && kind === "report.morning",
    sources: async () => ({ runs: [], touched: [], open: [], notHappened: [], promises: [], slowest: [], growing: [] }),
    emit: async (e: SiteEvent) => {
      sent.push({ kind: e.kind, at: clock.now() });
    },
  });
  service.start();
  await clock.advance(60 * 60_000);
  expect(zoneAsked).toBe(0);
  expect(sent).toEqual([]);

  // A reload of the routes lists report.morning: it is scheduled for Monday 07:00 Stockholm (06:00 UTC). (Until then no
  // timer looked again, issue 89.)
  wanted = true;
  service.routesChanged((kind) => kind === "report.morning");
  await clock.set(Date.UTC(2026, 10, 23, 7));
  await service.stop(1_000);
  expect(zoneAsked).toBeGreaterThan(0);
  expect(sent).toEqual([{ kind: "report.morning", at: Date.UTC(2026, 10, 23, 6) }]);
});
