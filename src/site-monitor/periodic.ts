// Runs a check at start and then every interval, never two at once; a failed run is logged and counted and
// the next one comes at its usual time.
import type { Logger } from "pino";
import type { Component } from "../core/lifecycle";
import { describeError } from "../core/errors";
import type { Counter } from "../core/metrics";

export function periodic(
  name: string,
  intervalMs: number,
  run: () => Promise<unknown>,
  deps: { log: Logger; runs: Counter },
): Component & { runNow(): Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  const runNow = (): Promise<void> => {
    if (running) return running;
    running = run()
      .then(() => deps.runs.inc({ monitor: name, result: "ok" }))
      .catch((err) => {
        deps.runs.inc({ monitor: name, result: "failed" });
        deps.log.warn({ monitor: name, err: describeError(err) }, "site monitor run failed; the next run is at the usual time");
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      void runNow().finally(() => {
        if (!stopped) schedule(intervalMs);
      });
    }, delayMs);
  };
  return {
    name,
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    runNow,
  };
}
