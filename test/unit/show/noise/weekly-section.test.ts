// The weekly report's noise section: added to report.weekly only (with reports.noise.weekly on), and when the noise
// cannot be counted (the store refuses the read) the weekly report still goes, saying so.
import { afterAll, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createManualClock } from "../../../../src/platform/core/clock";
import type { SiteEvent } from "../../../../src/platform/events/types";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { DEFAULT_NOISE } from "../../../../src/show/noise/config";
import { setupNoise } from "../../../../src/show/noise/setup";
import { notifyMigrations } from "../../../../src/tell/notify/migrations";
import { sqliteBackend } from "../../../helpers/sql-backends";

const backend = sqliteBackend();
afterAll(() => backend.shutdown());

const weekly = (kind: SiteEvent["kind"] = "report.weekly"): SiteEvent => ({
  id: `${kind}:x`,
  kind,
  receivedAt: "2026-11-23T07:00:00.000Z",
  host: "sense1",
  title: "Weekly report",
  summary: "",
  facts: [],
  data: {},
  sections: [{ title: "Runs", lines: [] }],
});

function noiseOn(db: SqlDb, weeklyOn = true) {
  const clock = createManualClock(Date.parse("2026-11-23T07:00:00Z"));
  return setupNoise(undefined, {
    clock,
    stores: { db },
    current: () => ({ config: { routes: [] } }),
    noise: () => ({ ...DEFAULT_NOISE, weekly: weeklyOn }),
    zone: () => "UTC",
    audit: createAuditLog(db, clock),
    check: () => undefined,
    reload: async () => ({}),
  });
}

test("the weekly report gets the noise sections; the morning one and a switched-off noise do not", async () => {
  const db = await backend.open([notifyMigrations, auditMigrations]);
  const out = await noiseOn(db).withNoise(weekly());
  expect(out.sections!.map((s) => s.title)).toEqual([
    "Runs",
    "Noise: 0 pages in the last 7 days, 0 held",
    "Noisiest sources",
    "Proposed changes (review with steward config propose ID)",
  ]);
  expect(out.data.noisePages).toBe(0);
  expect((await noiseOn(db).withNoise(weekly("report.morning"))).sections).toHaveLength(1);
  expect((await noiseOn(db, false).withNoise(weekly())).sections).toHaveLength(1);
});

test("a store that refuses the read leaves the weekly report whole, with a line saying why", async () => {
  const db = await backend.open([notifyMigrations, auditMigrations]);
  await db.run("DROP TABLE notify_deliveries");
  const out = await noiseOn(db).withNoise(weekly());
  expect(out.sections!.map((s) => s.title)).toEqual(["Runs", "Noise"]);
  expect(out.sections![1]!.lines[0]!.text).toContain("Could not be counted: ");
  expect(out.sections![1]!.lines[0]!.text).toContain("notify_deliveries");
});
