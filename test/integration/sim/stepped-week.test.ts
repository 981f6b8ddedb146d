// The default site through a simulated week on the stepped clock: every scheduled run happens, at its due time and
// for its fixture's duration, whatever the machine's load, and two runs give the same history.
import { afterAll, expect, test } from "bun:test";
import { createTempDir } from "../../helpers/temp-dir";
import { type SteppedSite, startSteppedSite } from "../../helpers/stepped-site";

const START = Date.parse("2026-03-24T00:00:00Z");
const WEEK_MS = 7 * 86_400_000;
const dir = createTempDir();
const sites: SteppedSite[] = [];
afterAll(async () => {
  for (const s of sites) await s.sim.stop();
  dir.remove();
});

async function week(name: string): Promise<SteppedSite> {
  const s = await startSteppedSite(`${dir.path}/${name}`, START);
  sites.push(s);
  await s.clock.runUntil(START + WEEK_MS);
  return s;
}

test("a week of the default site: each schedule's runs all happen, on time and for their duration; a second run is identical", async () => {
  const a = await week("a");
  const runs = (name: string) => a.finished.filter((r) => r.task === name);
  // Every 4 hours from 00:15 Stockholm time: 42 in a week, each ending 17 s (its fixture's duration) after its
  // trigger, to the millisecond: simulated time does not slip however slowly the machine runs the week.
  const logistics = runs("Reload Logistics KPIs");
  expect(logistics.length).toBe(42);
  expect(logistics.map((r) => [new Date(r.stopMs).toISOString().slice(13), r.status])).toEqual(Array(42).fill([":15:17.000Z", 7]));
  // Its composite follower runs once after each of them.
  expect(runs("Reload; Sales; EMEA").length).toBe(42);
  // A cron schedule every 10 minutes: 6 × 24 × 7 fires from 00:10; the last, at the week's end, is still running.
  expect(runs("Reload Inventory on hand").length).toBe(6 * 24 * 7 - 1);
  // Daily at 02:00 and failing each time.
  expect(runs("Nightly – Försäljning").map((r) => r.status)).toEqual(Array(7).fill(8));
  expect(a.clock.now()).toBe(START + WEEK_MS);

  const b = await week("b");
  expect(b.finished).toEqual(a.finished);
}, 120_000);
