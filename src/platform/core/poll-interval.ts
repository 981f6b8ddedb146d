// An interval that may change while a module runs: a fixed number of milliseconds, or a function read each time the
// next look is armed (a cluster's look for other Stewards' work slows down while this Steward is alone in it).
export type PollInterval = number | (() => number);

export function pollMsOf(interval: PollInterval): number {
  return typeof interval === "function" ? interval() : interval;
}
