// QRS SchedulerService (GET /qrs/schedulerservice/full …): each node's Scheduler with its settings, in the shape
// Qlik's Repository API reference gives for SchedulerService and SchedulerServiceSettings: the node as
// serverNodeConfiguration, and under `settings` the schedulerServiceType (0 Master, 1 Slave, 2 MasterAndSlave),
// maxConcurrentEngines (the QMC's "Max concurrent reloads") and engineTimeout (minutes). The 2015 reference
// (Sense 1.0) showed the two numbers at the top level; the current one nests them under `settings`, as qlik-cli's
// Update-QlikScheduler writes them: the simulator serves the current shape.
import { stableGuid } from "../util/ids";
import { iso } from "../util/time";
import { type Json, privileges, type RenderOptions } from "./render-common";
import type { Repository } from "./repository";

const STAMP = "2024-01-15T10:00:00.000Z";

export function renderSchedulerServices(repo: Repository, opts: RenderOptions): Json[] {
  return repo.site.nodes.map((n) => {
    const s = n.scheduler;
    const modified = s.modifiedMs === undefined ? STAMP : iso(s.modifiedMs);
    const by = s.modifiedBy ?? "INTERNAL\\sa_repository";
    return {
      id: stableGuid("schedulerservice", n.id),
      createdDate: STAMP,
      modifiedDate: modified,
      modifiedByUserName: by,
      customProperties: [],
      tags: [],
      serverNodeConfiguration: { id: n.id, name: n.name, hostName: n.hostName, privileges: privileges(opts) },
      settings: {
        id: stableGuid("schedulerservicesettings", n.id),
        createdDate: STAMP,
        modifiedDate: modified,
        modifiedByUserName: by,
        schedulerServiceType: n.central ? 2 : 1,
        maxConcurrentEngines: s.maxConcurrentEngines,
        engineTimeout: s.engineTimeout,
        logVerbosity: {
          logVerbosityAuditActivity: 4,
          logVerbosityAuditSecurity: 4,
          logVerbosityService: 4,
          logVerbosityApplication: 4,
          logVerbosityTaskExecution: 4,
        },
        schemaPath: "SchedulerServiceSettings",
      },
      privileges: privileges(opts),
      schemaPath: "SchedulerService",
    };
  });
}
