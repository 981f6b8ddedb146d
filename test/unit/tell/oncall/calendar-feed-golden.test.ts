// The calendar feed's shifts stay the same, to the byte, however they are computed (issue 106: the feed computes each
// schedule's rotation once per request instead of asking who is on duty instant by instant): every person's feed of a
// rota across the end of summer time, with overrides and business hours, against the feeds written before that change.
// STEWARD_UPDATE_GOLDEN=1 writes the file again (only where its change is meant).
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { personCalendar } from "../../../../src/tell/oncall/calendar-feed";
import { DST_ROTA, DST_ROTA_NOW, DST_ROTA_PEOPLE } from "../../../fixtures/oncall/dst-rota";

const GOLDEN = join(import.meta.dir, "../../../fixtures/oncall/dst-rota-feeds.golden.ics");

test("every person's feed of a rota across a DST change, with overrides and hours, is the golden one", () => {
  const feeds = DST_ROTA_PEOPLE.map((person) => personCalendar(DST_ROTA, person, DST_ROTA_NOW)).join("");
  if (process.env.STEWARD_UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, feeds);
  const golden = readFileSync(GOLDEN, "utf8");
  // The golden holds real shifts on both sides of the change, the overrides among them.
  expect(golden).toContain("DTSTART:20261026T080000Z");
  expect(golden).toContain("(override)");
  expect(feeds).toBe(golden);
});
