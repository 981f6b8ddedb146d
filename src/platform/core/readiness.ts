// Per-component readiness for GET /ready: each component reports whether it is up; a required component
// that is down makes the whole service not ready (503).
import { type Timer, wallClock } from "./clock";
export interface ComponentStatus {
  ok: boolean;
  /** A short human-readable state, e.g. "connected to mqtt://broker:1883" or the last error. */
  detail?: string;
}

export interface ReadinessCheck {
  name: string;
  required: boolean;
  check(): ComponentStatus | Promise<ComponentStatus>;
}

export interface ReadinessReport {
  ready: boolean;
  components: Record<string, ComponentStatus & { required: boolean }>;
}

export interface Readiness {
  register(check: ReadinessCheck): () => void;
  /** `requiredOnly`: only the parts Steward cannot work without (what the degraded watch looks at, cheaply). */
  report(opts?: { requiredOnly?: boolean }): Promise<ReadinessReport>;
}

/**
 * Each check has `timeoutMs` of wall time to answer; the deadline is cleared once it does: the degraded watch asks
 * every minute, and on a stepped clock thousands of times a wall second, so deadlines left to fire two seconds later
 * piled up in the runtime's timer queue for nothing.
 */
export function createReadiness(timeoutMs = 2000): Readiness {
  const checks = new Map<string, ReadinessCheck>();
  return {
    register(check) {
      checks.set(check.name, check);
      return () => void checks.delete(check.name);
    },
    async report(opts = {}) {
      const components: ReadinessReport["components"] = {};
      await Promise.all(
        [...checks.values()]
          .filter((c) => c.required || !opts.requiredOnly)
          .map(async (c) => {
            let status: ComponentStatus;
            let deadline: Timer | undefined;
            try {
              status = await Promise.race([
                Promise.resolve(c.check()),
                new Promise<ComponentStatus>((resolve) => {
                  deadline = wallClock.setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
                  deadline.unref?.();
                }),
              ]);
            } catch (err) {
              status = { ok: false, detail: err instanceof Error ? err.message : String(err) };
            } finally {
              wallClock.clearTimeout(deadline);
            }
            components[c.name] = { ...status, required: c.required };
          }),
      );
      const ready = Object.values(components).every((c) => c.ok || !c.required);
      return { ready, components };
    },
  };
}
