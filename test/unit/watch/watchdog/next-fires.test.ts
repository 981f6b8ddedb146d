// The answers a trigger keeps (nextExpectedStart's nextFires) never change an answer: asked in any order, at times
// on and between fires, across a clock change, it answers as Steward's arithmetic asked afresh.
import { expect, test } from "bun:test";
import { nextQmcFire } from "../../../../src/platform/core/qmc-schedule";
import { nextExpectedStart, readSchemaEvent } from "../../../../src/watch/watchdog/schedule";
import { seededRandom } from "../../../helpers/seeded-random";

test("kept answers agree with the arithmetic on 40 generated triggers asked 300 times each", () => {
  const rnd = seededRandom(5757);
  const pad = (n: number) => String(n).padStart(2, "0");
  const from = Date.parse("2026-03-20T00:00:00Z"); // Europe's clocks go forward on 29 March
  let kept = 0;
  for (let k = 0; k < 40; k++) {
    const option = rnd.pick([1, 2, 3, 4, 5]);
    const r = readSchemaEvent({
      id: `t${k}`,
      name: `t${k}`,
      enabled: true,
      incrementOption: option,
      incrementDescription: option === 5 ? `${rnd.pick([7, 15, 45])} 0 0 0` : option === 1 ? `0 ${rnd.int(1, 3)} 0 0` : "0 0 1 0",
      ...(option === 3 ? { schemaFilterDescription: [`* * - ${rnd.int(0, 6)},${rnd.int(0, 6)} 1 * * *`] } : {}),
      ...(option === 4 ? { schemaFilterDescription: [`* * - * * ${rnd.int(1, 28)} * *`] } : {}),
      ...(option === 1 || option === 5 ? { schemaFilterDescription: ["* 7-17 - 1,2,3,4,5 * * * *"] } : {}),
      startDate: `2026-03-0${rnd.int(1, 9)}T${pad(rnd.int(0, 23))}:${pad(rnd.int(0, 59))}:00`,
      timeZone: rnd.pick(["UTC", "Europe/Stockholm", "America/New_York"]),
    });
    if (!r.ok || !r.trigger.schedule) throw new Error(`trigger ${k} not read`);
    const t = r.trigger;
    const fires: number[] = [];
    for (let at = from, n = 0; n < 20; n++) {
      const f = nextQmcFire(t.schedule!, at);
      if (f === undefined) break;
      fires.push(f);
      at = f;
    }
    for (let q = 0; q < 300; q++) {
      // On a fire, a millisecond either side of one, or anywhere in the weeks around them, in no order.
      const f = fires.length ? rnd.pick(fires) : from;
      const at = rnd.pick([f, f - 1, f + 1, from + rnd.int(0, 30 * 86_400_000)]);
      expect(nextExpectedStart(t, at)).toBe(nextQmcFire(t.schedule!, at));
    }
    kept += t.nextFires?.length ?? 0;
  }
  expect(kept).toBeGreaterThan(100); // the answers were kept and used, not computed afresh each time
});
