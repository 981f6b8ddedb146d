// Steward's trigger arithmetic (src/platform/core/qmc-*, the watchdog's fallback behind QRS's own times) against the simulated
// Scheduler's (src/sim/scheduler-clock), written apart, on 1,500 generated triggers of every form the QMC and
// the QRS API store: where the two disagree, this fails, naming the trigger and both answers (issue 59). Neither is
// the judge: the reading both follow is docs/watchdog.md; the corpus test checks it against Qlik's own examples.
import { describe, expect, test } from "bun:test";
import { nextQmcFire } from "../../../src/platform/core/qmc-schedule";
import { readQmcSchedule } from "../../../src/platform/core/qmc-trigger-read";
import { type SimTriggerFields, simNextFire } from "../../../src/sim/scheduler-clock";
import { seededRandom } from "../../helpers/seeded-random";

const ZONES = ["UTC", "Europe/Stockholm", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham"];
const FILTERS = [
  "* * - * * * * *",
  "* * - 1,2,3,4,5 1 * * *",
  "* * - 1,3 2 * * *",
  "* * - * 1-5 * * *",
  "* * - 0,6 * * * *",
  "* 7-17 - 1,2,3,4,5 * * * *",
  "0,30 8-18 - * * * * *",
  "* * - * * 1,15,\u00a4 * *",
  "* * - * * 31 * *",
  "* * - * * 1 * 3",
  "* * 1 1 * * * *",
  "* * \u00a4 5 * * * *",
  "* * 2,4 2 * * 1-6 *",
  "* * - * * 29 2 *",
  "15 6 - * * * * *",
];
const INCREMENTS = [
  "0 0 0 0",
  "15 0 0 0",
  "30 0 0 0",
  "5 0 0 0",
  "0 1 0 0",
  "0 2 0 0",
  "0 4 0 0",
  "45 1 0 0",
  "0 0 1 0",
  "0 0 2 0",
  "0 0 0 1",
  "0 0 0 2",
  "0 0 3 1",
];
const pad = (n: number) => String(n).padStart(2, "0");

function generate(seed: number): SimTriggerFields {
  const r = seededRandom(seed);
  const option = r.int(0, 5);
  const y = r.int(2024, 2027);
  // Starts often at 02:00–03:00 local, where clocks change, and on month ends.
  const hour = r.chance(0.3) ? r.int(1, 3) : r.int(0, 23);
  const start = `${y}-${pad(r.int(1, 12))}-${pad(r.chance(0.2) ? 31 : r.int(1, 28))}T${pad(hour)}:${pad(r.pick([0, 15, 30, 45, 5]))}:${pad(r.pick([0, 0, 30]))}${r.pick(["", ".000", ".000Z", "+02:00"])}`;
  const valid = Number.isFinite(Date.parse(`${start.replace(/(Z|[+-]\d\d:\d\d)$/, "")}Z`)) ? start : `${y}-03-01T06:00:00`;
  return {
    incrementOption: r.chance(0.2) ? String(option) : option,
    incrementDescription: r.pick(INCREMENTS),
    schemaFilterDescription: r.chance(0.5) ? [r.pick(FILTERS)] : r.pick(FILTERS),
    startDate: valid,
    expirationDate: r.chance(0.3) ? `${y + r.int(0, 1)}-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}T${pad(r.int(0, 23))}:30:00.000` : "9999-12-31T00:00:00.000",
    timeZone: r.pick(ZONES),
    daylightSavingTime: r.pick([0, 0, 0, 1, 2, 3, "0"]),
  };
}

/** Up to `n` fires after `from` by each implementation. */
function both(f: SimTriggerFields, from: number, n: number): { steward: string[]; sim: string[] } {
  const read = readQmcSchedule(f);
  const steward: string[] = [];
  const sim: string[] = [];
  let a = from;
  let b = from;
  for (let i = 0; i < n; i++) {
    const x = read.ok ? nextQmcFire(read.schedule, a) : undefined;
    const s = simNextFire(f, b);
    steward.push(read.ok ? (x === undefined ? "none" : new Date(x).toISOString()) : "unreadable");
    sim.push(s.ok ? (s.next === undefined ? "none" : new Date(s.next).toISOString()) : "unreadable");
    if (x === undefined || !s.ok || s.next === undefined) break;
    a = x;
    b = s.next;
  }
  return { steward, sim };
}

describe("Steward's and the simulator's trigger arithmetic agree", () => {
  test("on 1,500 generated triggers, 12 fires each from three points in time", () => {
    const disagreements: string[] = [];
    for (let seed = 1; seed <= 1_500 && disagreements.length < 10; seed++) {
      const f = generate(seed);
      const y = Number(f.startDate.slice(0, 4));
      for (const from of [Date.UTC(y - 1, 6, 1), Date.UTC(y, 2, 20), Date.UTC(y, 9, 20)]) {
        const r = both(f, from, 12);
        if (JSON.stringify(r.steward) !== JSON.stringify(r.sim)) {
          disagreements.push(
            `seed ${seed} from ${new Date(from).toISOString()}: ${JSON.stringify(f)}\n  Steward: ${r.steward.join(" ")}\n  sim:     ${r.sim.join(" ")}`,
          );
          break;
        }
      }
    }
    expect(disagreements).toEqual([]);
  }, 300_000);
});
