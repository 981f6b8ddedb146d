// The simulated Qlik Cloud tenant on a stepped clock (src/platform/core/stepped-clock.ts) that Steward shares: its schedules,
// reloads and Steward's polls and looks are discrete events, each request to the tenant counted as work in flight,
// so days pass in seconds and one seed gives one history whatever the machine's load.
import { afterAll, beforeAll } from "bun:test";
import { join } from "node:path";
import { createSteppedClock, type SteppedClock } from "../../src/platform/core/stepped-clock";
import { type Simulator, startSimulator } from "../../src/sim";
import { simCertDir } from "./sim-certs";
import { createTempDir, type TempDir } from "./temp-dir";

export interface SteppedCloud {
  clock: SteppedClock;
  sim: Simulator;
}

/** `site` is YAML (its `cloud.tasks` are the tenant's scheduled tasks); `schedules: false` leaves them unfired. */
export async function startSteppedCloud(dir: string, startMs: number, site?: string, opts: { seed?: number; schedules?: boolean } = {}): Promise<SteppedCloud> {
  const clock = createSteppedClock(startMs, opts.seed !== undefined ? { seed: opts.seed } : {});
  const sim = await startSimulator({
    ...(site ? { site } : {}),
    certDir: simCertDir(join(dir, "sim-certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    cloudPort: 0,
    schedules: opts.schedules ?? true,
    clock,
  });
  return { clock, sim };
}

/**
 * The tenant (no schedules fired) for a whole test file, in a folder of its own: started before the file's tests and
 * stopped, its folder removed, after them. `cloud` reads the started tenant, so use it within tests and hooks.
 */
export function steppedCloudForFile(startMs: number): { dir: TempDir; cloud: SteppedCloud } {
  const dir = createTempDir();
  let started: SteppedCloud | undefined;
  beforeAll(async () => {
    started = await startSteppedCloud(dir.path, startMs, undefined, { schedules: false });
  }, 60_000); // a hang guard only: making certificates on a loaded machine takes a while
  afterAll(async () => {
    await started?.sim.stop();
    dir.remove();
  });
  const cloud: SteppedCloud = {
    get clock() {
      return started!.clock;
    },
    get sim() {
      return started!.sim;
    },
  };
  return { dir, cloud };
}
