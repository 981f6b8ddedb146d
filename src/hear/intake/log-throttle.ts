// "Log this at most once per key per interval", and at most so many lines per interval overall: rejected and
// unparseable datagrams are logged with the number suppressed since, so a noisy or hostile sender (or one forging
// many source addresses) cannot flood the log.
export interface LogThrottle {
  /** Undefined when the key was logged within the interval; otherwise how many were suppressed before. */
  take(key: string): number | undefined;
}

export function createLogThrottle(intervalMs: number, now: () => number = Date.now, maxKeys = 10_000): LogThrottle {
  const keys = new Map<string, { at: number; suppressed: number }>();
  let sweptAt = Number.NEGATIVE_INFINITY;
  return {
    take(key) {
      const t = now();
      const entry = keys.get(key);
      if (entry && t - entry.at < intervalMs) {
        entry.suppressed++;
        return undefined;
      }
      if (!entry && keys.size >= maxKeys) {
        // Sweep expired keys at most once per interval: with forged sources every key is new, and a sweep per
        // datagram would cost the whole table each time.
        if (t - sweptAt >= intervalMs) {
          sweptAt = t;
          for (const [k, v] of keys) if (t - v.at >= intervalMs) keys.delete(k);
        }
        if (keys.size >= maxKeys) keys.delete(keys.keys().next().value!);
      }
      const suppressed = entry?.suppressed ?? 0;
      keys.set(key, { at: t, suppressed: 0 });
      return suppressed;
    },
  };
}

export interface LineBudget {
  /** Undefined when the interval's budget is spent; otherwise how many lines were held back since the last one. */
  take(): number | undefined;
}

/**
 * At most `max` lines per interval whatever their key. Per-source throttling alone is defeated by spoofed
 * source addresses (each forged address is a key of its own), so datagram-driven lines also share this budget.
 */
export function createLineBudget(max: number, intervalMs: number, now: () => number = Date.now): LineBudget {
  let windowStart = Number.NEGATIVE_INFINITY;
  let used = 0;
  let heldBack = 0;
  return {
    take() {
      const t = now();
      if (t - windowStart >= intervalMs) {
        windowStart = t;
        used = 0;
      }
      if (used >= max) {
        heldBack++;
        return undefined;
      }
      used++;
      const n = heldBack;
      heldBack = 0;
      return n;
    },
  };
}

/** A warning caused by a datagram: once per key per interval, and within a budget shared by all keys. */
export type ThrottledWarn = (key: string, fields: Record<string, unknown>, msg: string) => void;

export function createThrottledWarn(
  log: { warn(fields: Record<string, unknown>, msg: string): void },
  o: { intervalMs: number; maxLinesPerInterval: number; now: () => number },
): ThrottledWarn {
  const perKey = createLogThrottle(o.intervalMs, o.now);
  const overall = createLineBudget(o.maxLinesPerInterval, o.intervalMs, o.now);
  return (key, fields, msg) => {
    const suppressed = perKey.take(key);
    if (suppressed === undefined) return;
    const heldBack = overall.take();
    if (heldBack === undefined) return;
    log.warn({ ...fields, suppressedSinceLast: suppressed, ...(heldBack > 0 ? { suppressedOverall: heldBack } : {}) }, msg);
  };
}
