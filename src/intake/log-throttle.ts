// "Log this at most once per key per interval": rejected and unparseable datagrams are logged once per source
// per minute with the number suppressed since, so a noisy or hostile sender cannot flood the log.
export interface LogThrottle {
  /** Undefined when the key was logged within the interval; otherwise how many were suppressed before. */
  take(key: string): number | undefined;
}

export function createLogThrottle(intervalMs: number, now: () => number = Date.now, maxKeys = 10_000): LogThrottle {
  const keys = new Map<string, { at: number; suppressed: number }>();
  return {
    take(key) {
      const t = now();
      const entry = keys.get(key);
      if (entry && t - entry.at < intervalMs) {
        entry.suppressed++;
        return undefined;
      }
      if (!entry && keys.size >= maxKeys) {
        for (const [k, v] of keys) if (t - v.at >= intervalMs) keys.delete(k);
        if (keys.size >= maxKeys) keys.delete(keys.keys().next().value!);
      }
      const suppressed = entry?.suppressed ?? 0;
      keys.set(key, { at: t, suppressed: 0 });
      return suppressed;
    },
  };
}
