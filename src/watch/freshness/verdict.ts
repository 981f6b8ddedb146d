// The judge's verdict for one promised app at its last look (verdicts.ts writes and reads them; max-age-verdict.ts makes
// a "never older than" promise's): the one state every page says.

export interface FreshnessVerdict {
  promise: string;
  appId: string;
  /** The deadline judged: the open condition's, else the next one. */
  deadlineMs: number;
  fresh: boolean;
  /** Not fresh and no reload can make it so until something upstream runs again: why, for the administrator. */
  heldBy?: string;
  /** Fresh: the reload that brought the data, and what it came after. */
  broughtBy?: { reloadMs: number; after: "chain" | "checkin" | "cycle" };
  /**
   * A "never older than" promise: `deadlineMs` is when its data becomes too old, counted from the data's time through
   * the chain (max-age-verdict.ts).
   */
  maxAge?: true;
  /** The data's time when it is older than the last reload (refreshed again from the inputs of a run that failed). */
  dataAsOfMs?: number;
  /** A "never older than" promise: the data's time the judge counted, read back at its next look (max-age-feed.ts). */
  dataMs?: number;
}
