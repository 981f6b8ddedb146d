// Altered or unsigned links that would start something (retry, re-run, reload, chain) are worth a line in the audit,
// but each one costs the sender nothing to make: 200 forged posts wrote 200 rows, with names the sender chose. So the
// first one of a minute writes a row and the others of that minute are only counted, told by the next minute's row.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";

const MINUTE_MS = 60_000;
/** Addresses named in one row, at most: the rest are counted. */
const MAX_ADDRESSES = 10;

export interface ForgedLinkTally {
  /** One refused acting link that its signature does not cover (altered, forged, incomplete). */
  refused(r: { target: string; id: number; action: string; status: number; reason: string; ip?: string }): void;
}

export function createForgedLinkTally(deps: { audit: AuditLog; clock: Clock }): ForgedLinkTally {
  let windowStart = Number.NEGATIVE_INFINITY;
  let uncounted = 0;
  let addresses = new Set<string>();
  return {
    refused(r) {
      const now = deps.clock.now();
      if (now - windowStart < MINUTE_MS) {
        uncounted += 1;
        if (r.ip && addresses.size < MAX_ADDRESSES) addresses.add(r.ip);
        return;
      }
      // The sender chose the recipient's name: the row names no person, only what was tried and from where.
      deps.audit.record({
        actor: { kind: "link", name: "unsigned link", ...(r.ip ? { ip: r.ip } : {}) },
        action: `${r.target}.link`,
        target: String(r.id),
        result: "denied",
        details: {
          reason: r.reason,
          status: r.status,
          action: r.action,
          ...(uncounted > 0 ? { alsoRefusedInThePreviousMinute: uncounted, fromAddresses: [...addresses] } : {}),
        },
      });
      windowStart = now;
      uncounted = 0;
      addresses = new Set();
    },
  };
}
