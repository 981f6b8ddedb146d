// The site-wide duties one Steward of a cluster holds at a time, each under a lease in the store.
export const DUTIES = ["scheduler", "reconcile", "distribute", "site-monitor", "watchdog", "cloud", "alert-resend"] as const;
export type DutyName = (typeof DUTIES)[number];
