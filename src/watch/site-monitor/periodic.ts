// Runs a check at start and then every interval, never two at once; a failed run is logged and counted and
// the next one comes at its usual time. The interval may be a function, read after each run: a check that saw
// something wrong can ask to be run again sooner.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import { createLoop } from "../../platform/core/loop";
import type { Counter } from "../../platform/core/metrics";

export function periodic(
  name: string,
  intervalMs: number | (() => number),
  run: () => Promise<unknown>,
  deps: { log: Logger; runs: Counter; clock: Clock },
): Component & { runNow(): Promise<void>; runAfterNow(): Promise<void> } {
  const once = () =>
    run()
      .then(() => deps.runs.inc({ monitor: name, result: "ok" }))
      .catch((err) => {
        deps.runs.inc({ monitor: name, result: "failed" });
        deps.log.warn({ monitor: name, err: describeError(err) }, "site monitor run failed; the next run is at the usual time");
      });
  return createLoop(name, once, typeof intervalMs === "number" ? () => intervalMs : intervalMs, deps.clock);
}
