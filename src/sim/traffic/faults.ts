// Injected faults: HTTP status codes, delays and Engine errors on matching requests, for N requests or N ms.
import { z } from "zod";
import { sleep } from "../../platform/runtime";
import { newGuid } from "../util/ids";

export const FaultInputSchema = z.strictObject({
  target: z.enum(["qrs", "engine"]).default("qrs"),
  /** HTTP method (QRS) to match; any when left out. */
  method: z.string().optional(),
  /** Case-insensitive substring of the path (QRS path, or the Engine WebSocket path). */
  pathContains: z.string().optional(),
  /** Engine JSON-RPC method to match (Engine faults on calls rather than on the upgrade). */
  rpcMethod: z.string().optional(),
  /** Answer with this status (QRS, or the Engine upgrade). Left out: only delay. */
  status: z.int().min(100).max(599).optional(),
  body: z.string().optional(),
  /** Engine JSON-RPC error code for matching calls (default -32603 when rpcMethod is set and no delay-only). */
  rpcErrorCode: z.int().optional(),
  delayMs: z.int().min(0).max(600_000).default(0),
  /** Number of matching requests affected; left out: until removed or expired. */
  count: z.int().min(1).optional(),
  /** Active for this long from now; left out: until removed or used up. */
  forMs: z.int().min(1).optional(),
});

export type FaultInput = z.input<typeof FaultInputSchema>;

export interface Fault {
  id: string;
  target: "qrs" | "engine";
  method: string | undefined;
  pathContains: string | undefined;
  rpcMethod: string | undefined;
  status: number | undefined;
  body: string | undefined;
  rpcErrorCode: number | undefined;
  delayMs: number;
  remaining: number | null;
  untilMs: number | null;
  hits: number;
}

export interface FaultMatch {
  target: "qrs" | "engine";
  method?: string;
  path?: string;
  rpcMethod?: string;
}

export interface Faults {
  add(input: FaultInput, nowMs: number): Fault;
  list(nowMs: number): Fault[];
  remove(id: string): boolean;
  /**
   * Removes the fault and ends the delays it holds now: the requests it held are answered at once. A test holds a
   * request for as long as it needs (a long delayMs, no race with the machine's speed) and lets it go when done.
   */
  release(id: string): boolean;
  clear(): void;
  /** The first active fault matching the request; consumes one use. */
  take(m: FaultMatch, nowMs: number): Fault | undefined;
  /** Waits out the fault's delay for one request (ended early by release). */
  hold(f: Fault): Promise<void>;
}

export function createFaults(): Faults {
  let faults: Fault[] = [];
  /** Fault id → the ends of the delays it holds now. */
  const holding = new Map<string, Set<() => void>>();
  const active = (f: Fault, now: number) => (f.remaining === null || f.remaining > 0) && (f.untilMs === null || now < f.untilMs);
  return {
    add(input, now) {
      const i = FaultInputSchema.parse(input);
      const f: Fault = {
        id: newGuid(),
        target: i.target,
        method: i.method?.toUpperCase(),
        pathContains: i.pathContains?.toLowerCase(),
        rpcMethod: i.rpcMethod,
        status: i.status,
        body: i.body,
        rpcErrorCode: i.rpcErrorCode,
        delayMs: i.delayMs,
        remaining: i.count ?? null,
        untilMs: i.forMs === undefined ? null : now + i.forMs,
        hits: 0,
      };
      faults.push(f);
      return f;
    },
    list(now) {
      faults = faults.filter((f) => active(f, now));
      return [...faults];
    },
    remove(id) {
      const before = faults.length;
      faults = faults.filter((f) => f.id !== id);
      return faults.length < before;
    },
    release(id) {
      const removed = this.remove(id);
      const ends = holding.get(id);
      holding.delete(id);
      for (const end of ends ?? []) end();
      return removed || ends !== undefined;
    },
    clear() {
      faults = [];
    },
    take(m, now) {
      const f = faults.find(
        (x) =>
          active(x, now) &&
          x.target === m.target &&
          (x.method === undefined || x.method === m.method?.toUpperCase()) &&
          (x.pathContains === undefined || (m.path ?? "").toLowerCase().includes(x.pathContains)) &&
          // A fault naming an RPC method only applies to calls; one without applies only to HTTP/upgrade requests.
          (x.rpcMethod === undefined ? m.rpcMethod === undefined : x.rpcMethod === m.rpcMethod),
      );
      if (!f) return undefined;
      f.hits++;
      if (f.remaining !== null) f.remaining--;
      return f;
    },
    async hold(f) {
      if (f.delayMs <= 0) return;
      let end!: () => void;
      const released = new Promise<void>((resolve) => (end = resolve));
      const ends = holding.get(f.id) ?? new Set();
      holding.set(f.id, ends);
      ends.add(end);
      try {
        await Promise.race([sleep(f.delayMs), released]);
      } finally {
        ends.delete(end);
        if (ends.size === 0 && holding.get(f.id) === ends) holding.delete(f.id);
      }
    },
  };
}
