// This machine's clock against the database's, as each heartbeat measures it: the offset every time written to the
// shared store is corrected by, and the refusal to take site-wide duties while it is past store.postgres.maxClockOffsetMs
// (schedules would fire at the wrong time).
import type { Logger } from "pino";

export function createClockOffset(log: Logger, instanceName: string, maxOffsetMs: number) {
  let offsetMs = 0;
  let refusal: string | undefined;
  return {
    offsetMs: () => offsetMs,
    refusal: () => refusal,
    /** `sample`: the database's time minus the middle of the round trip; half the round trip is the error at most. */
    measure(sample: number, roundTripMs: number): void {
      offsetMs = Math.round(sample);
      const off = Math.abs(offsetMs) - roundTripMs / 2;
      const was = refusal;
      refusal =
        off > maxOffsetMs
          ? `this machine's clock is ${(Math.abs(offsetMs) / 1000).toFixed(1)} s ${offsetMs > 0 ? "behind" : "ahead of"} the database's (store.postgres.maxClockOffsetMs is ${maxOffsetMs} ms): it takes no site-wide duty until the clocks agree; set the time (NTP) on this machine`
          : undefined;
      if (refusal && !was) log.error({ offsetMs, instance: instanceName }, refusal);
      if (!refusal && was)
        log.info({ offsetMs, instance: instanceName }, "this machine's clock agrees with the database's again: it takes site-wide duties again");
    },
  };
}
