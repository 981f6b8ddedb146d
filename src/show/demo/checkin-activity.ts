// In the demo, plays an ERP extract that runs before Qlik and checks in with Steward (docs/checkins.md): a /start
// ping at five seconds past each minute and a success ping a second later, through the REST API in process, as a
// job's curl would. The demo config's second job, crm-export, is never played, so it is reported missed.
import type { Hono } from "hono";
import { type Timer, wallClock } from "../../platform/core/clock";
import { inProcessEnv, type HttpEnv } from "../../platform/http/types";

export const DEMO_CHECKIN_KEY = "demo-erp-extract-key-0001";

export interface CheckinActivity {
  start(): void;
  stop(): void;
}

export function createCheckinActivity(hono: () => Hono<HttpEnv> | undefined, onError: (message: string) => void): CheckinActivity {
  let timer: Timer | undefined;
  let stopped = true;
  const ping = async (path: string) => {
    const app = hono();
    if (!app) return; // the demo's Steward is stopping
    const res = await app.request(path, { method: "POST" }, inProcessEnv());
    if (!res.ok) onError(`check-in ${path} answered ${res.status}`);
  };
  const arm = () => {
    if (stopped) return;
    const now = wallClock.now();
    // Five seconds into the next minute: the job is due at each minute's start and may be 20 s late (config/demo.yaml).
    const next = (Math.floor(now / 60_000) + 1) * 60_000 + 5_000;
    timer = wallClock.setTimeout(() => {
      void ping(`/ping/${DEMO_CHECKIN_KEY}/start`)
        .then(() => new Promise<void>((r) => wallClock.setTimeout(() => r(), 1_000)))
        .then(() => ping(`/ping/${DEMO_CHECKIN_KEY}`))
        .catch((err: unknown) => onError(`check-in failed: ${String(err)}`))
        .finally(arm);
    }, next - now);
  };
  return {
    start() {
      stopped = false;
      // The first run checks in at once, so the job is known from the start.
      void ping(`/ping/${DEMO_CHECKIN_KEY}`)
        .catch((err: unknown) => onError(`check-in failed: ${String(err)}`))
        .finally(arm);
    },
    stop() {
      stopped = true;
      if (timer) wallClock.clearTimeout(timer);
    },
  };
}
