// The simulated Scheduler's trigger arithmetic: QRS schemaevent fields in, the next fire out.
import { type Budget, nextSimFire } from "./next-fire";
import { readSimTrigger, type SimTriggerFields } from "./trigger-fields";

export type { SimTrigger, SimTriggerFields } from "./trigger-fields";
export { readSimTrigger } from "./trigger-fields";
export { nextSimFire, SIM_STEP_BUDGET } from "./next-fire";

export type SimNextFire = { ok: true; next: number | undefined } | { ok: false; reason: string };

/** The first fire strictly after `afterMs` (epoch ms), undefined when none; ok:false with a reason when unreadable. */
export function simNextFire(t: SimTriggerFields, afterMs: number, budget?: Budget): SimNextFire {
  const read = readSimTrigger(t);
  if (typeof read === "string") return { ok: false, reason: read };
  return { ok: true, next: nextSimFire(read, afterMs, budget) };
}
