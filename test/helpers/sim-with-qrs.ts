// A simulator on free loopback ports with no schedules of its own, and a QRS client on it: what a test of reads
// against QRS needs (the runs are started by the test). Certificates come from the shared set (sim-certs.ts).
import { join } from "node:path";
import { systemClock } from "../../src/platform/core/clock";
import { createSilentLogger } from "../../src/platform/core/logger";
import { createQrsClient, type QrsClient } from "../../src/platform/qlik";
import { QlikSchema } from "../../src/platform/qlik/config";
import { type Simulator, startSimulator } from "../../src/sim";
import { simCertDir } from "./sim-certs";

export async function startSimWithQrs(site: string, dir: string, opts: { retryBaseMs?: number } = {}): Promise<{ sim: Simulator; qrs: QrsClient }> {
  const sim = await startSimulator({
    site,
    certDir: simCertDir(join(dir, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 20 } },
  });
  const qrs = createQrsClient(QlikSchema.parse({ host: "127.0.0.1", qrsPort: sim.ports.qrs, certDir: sim.certDir, timeoutMs: 5000, retries: 1 }), {
    log: createSilentLogger(),
    clock: systemClock,
    baseDir: dir,
    ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
  });
  return { sim, qrs };
}
