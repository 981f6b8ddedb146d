// Shared setup for scheduler tests against the Qlik Sense simulator: a simulator on free ports (its own cron
// off) and a Steward app config pointing at it.
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { simCertDir } from "../../../helpers/sim-certs";

export const TASK_SALES = "7552d9fc-d1bb-4975-9a38-18357de531ea";
export const TASK_NIGHTLY = "3c9e2b71-8d4a-4f60-b2d1-7e5a9c0f1b23";
export const TASK_HR = "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9";

export async function startTestSimulator(dir: string): Promise<Simulator> {
  return startSimulator({ certDir: simCertDir(join(dir, "sim-certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
}

export function qlikYaml(sim: Simulator): string {
  return `qlik:\n  host: 127.0.0.1\n  qrsPort: ${sim.ports.qrs}\n  enginePort: ${sim.ports.engine}\n  certDir: ${sim.certDir}\n  retries: 0\n`;
}

/** POST …/task/{id}/start requests the simulator received for a task. */
export function startsOf(sim: Simulator, taskId: string): number {
  return sim.requests.list({ source: "qrs", method: "POST", pathContains: `task/${taskId}/start` }).length;
}
