// Simulated time for Steward and the simulator together: `speed` times faster than the wall clock from one
// anchor, so both read the same "now" and a week of a site's triggers passes in seconds.
import { join } from "node:path";
import type { Clock } from "../../src/platform/core/clock";
import { type Simulator, startSimulator } from "../../src/sim";
import { simCertDir } from "./sim-certs";

export interface VirtualTime {
  startMs: number;
  speed: number;
  realStartMs: number;
  clock: Clock;
}

export function virtualTime(startMs: number, speed: number): VirtualTime {
  const realStartMs = Date.now();
  const now = () => startMs + (Date.now() - realStartMs) * speed;
  return {
    startMs,
    speed,
    realStartMs,
    clock: {
      now,
      setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms / speed)),
      clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
    },
  };
}

/**
 * The simulator on the same virtual clock, its scheduler firing triggers; `site` is YAML (default: the demo site).
 * `cloud` adds the simulated Qlik Cloud tenant, its scheduled tasks running on that clock too.
 */
export function startVirtualSimulator(dir: string, vt: VirtualTime, site?: string, opts: { cloud?: boolean } = {}): Promise<Simulator> {
  return startSimulator({
    ...(site ? { site } : {}),
    certDir: simCertDir(join(dir, "sim-certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    versionPort: 0,
    ...(opts.cloud ? { cloudPort: 0 } : {}),
    schedules: true,
    virtualClock: { startMs: vt.startMs, speed: vt.speed, realStartMs: vt.realStartMs },
  });
}

/**
 * Steward's `qlikCloud:` block for the simulator's tenant (named corp-cloud), trusting its certificate. Its
 * `pollInterval` is simulated time on a virtual clock: 30 s (the default) at a speed of 20,000 is a poll every 1.5 ms.
 */
export function simCloudTenantYaml(sim: Simulator, pollInterval?: string): string {
  const poll = pollInterval ? `, pollInterval: ${pollInterval}` : "";
  return `qlikCloud:\n  tenants:\n    - { name: corp-cloud, url: "${sim.urls.cloud}", apiKey: "${sim.cloud!.apiKey}", caFile: "${join(sim.certDir, "root.pem")}"${poll} }\n`;
}
