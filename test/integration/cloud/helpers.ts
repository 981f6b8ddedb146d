// The pieces every Qlik Cloud test needs: the simulator with its Cloud tenant, and the qlikCloud block pointing a
// Steward at it (the key read from the simulator's cloud-api-key.txt, its root.pem trusted).
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../src/sim";
import { waitFor } from "../../helpers/wait-for";

export async function startCloudSim(certDir: string): Promise<Simulator> {
  return startSimulator({ certDir, qrsPort: 0, enginePort: 0, controlPort: 0, cloudPort: 0, schedules: false });
}

export function cloudYaml(sim: Simulator, o: { name?: string; apiKey?: string; pollInterval?: string; extra?: string } = {}): string {
  const key = o.apiKey ?? `\${file:${join(sim.certDir, "cloud-api-key.txt")}}`;
  return `qlikCloud:
  tenants:
    - url: ${sim.urls.cloud}
      name: ${o.name ?? "sim-tenant"}
      apiKey: "${key}"
      caFile: ${join(sim.certDir, "root.pem")}
      pollInterval: ${o.pollInterval ?? "100ms"}
      lookBack: 5m
${o.extra ?? ""}`;
}

export interface RunAnswer {
  id: string;
  status: string;
}

/** Runs a Cloud reload through the simulator's control API and waits until it ended. */
export async function runCloudReload(sim: Simulator, appId: string, outcome: "succeed" | "fail" | "cancel" | "exceed", error?: string): Promise<RunAnswer> {
  const res = await fetch(`${sim.urls.control}/cloud/reloads`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ appId, outcome, ...(error ? { error } : {}) }),
  });
  if (res.status !== 201) throw new Error(`POST /cloud/reloads answered ${res.status}: ${await res.text()}`);
  const r = (await res.json()) as RunAnswer;
  await waitFor(() => !["QUEUED", "RELOADING", "CANCELING"].includes(sim.cloud!.tenant.get(r.id)!.status), { what: `reload ${r.id} to end` });
  return r;
}

export async function patchCloud(sim: Simulator, settings: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sim.urls.control}/cloud/settings`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(settings),
  });
  if (res.status !== 200) throw new Error(`PATCH /cloud/settings answered ${res.status}`);
}
