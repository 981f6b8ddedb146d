// QRS ServiceStatus (GET /qrs/servicestatus/full): the state of each Qlik service on each node as the central
// Repository sees it, which is how the QMC shows a rim node whose Repository or Scheduler cannot be reached.
import { stableGuid } from "../util/ids";
import { SIM_SERVICES, servicesOf } from "./node-services";
import type { Repository } from "./repository";

/** QRS serviceState: 2 Running, 3 NoCommunication (the central Repository cannot reach it). */
const RUNNING = 2;
const NO_COMMUNICATION = 3;
const STAMP = "2026-01-01T00:00:00.000Z";

export function renderServiceStatus(repo: Repository, nowMs: number): unknown[] {
  const now = new Date(nowMs).toISOString();
  return repo.site.nodes.flatMap((n) => {
    const down = repo.servicesDown.get(n.id);
    return servicesOf(n.central).map((s) => ({
      id: stableGuid("servicestatus", `${n.id}|${s}`),
      createdDate: STAMP,
      modifiedDate: now,
      modifiedByUserName: "INTERNAL\\sa_repository",
      serverNodeConfiguration: { id: n.id, name: n.name, hostName: n.hostName, privileges: null },
      serviceType: SIM_SERVICES[s],
      serviceState: down?.has(s) ? NO_COMMUNICATION : RUNNING,
      timestamp: now,
      privileges: null,
      schemaPath: "ServiceStatus",
    }));
  });
}
