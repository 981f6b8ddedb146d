// The QRS entity collections: each lists full entities (filters run on those) and knows its condensed form.
import { filterIds } from "../filter";
import { renderAppFull, renderCpDefinitionFull, renderNodeFull, renderStreamFull, renderTagFull, renderUserFull } from "../repo/render-app";
import { allocatedUsers, allocationId, renderAllocation } from "../repo/render-license";
import { internalUsers } from "../repo/internal-users";
import { renderSchedulerServices } from "../repo/render-scheduler-service";
import type { Repository } from "../repo/repository";
import type { TaskRunner } from "../tasks/runner";
import { iso } from "../util/time";
import { pick, type Resource } from "./resource";
import { taskResources } from "./task-resources";

export type { Resource } from "./resource";

export function createResources(repo: Repository, runner: TaskRunner): Record<string, Resource> {
  const allocation = (kind: "professional" | "analyzer"): Resource => ({
    full: (opts) => allocatedUsers(repo, kind).map((u) => renderAllocation(u, kind, opts)),
    condense: pick(["id", "user", "lastUsed", "quarantined", "privileges"]),
    remove(id) {
      const hit = allocatedUsers(repo, kind).find((u) => allocationId(u, kind) === id.toLowerCase());
      if (!hit) return false;
      repo.releasedAllocations.add(id.toLowerCase());
      return true;
    },
  });

  return {
    ...taskResources(repo),
    // Exists only while the run is going; 404 once it finished (spec §2.8.5).
    executionsession: {
      full: () =>
        runner.runningSessions().map((s) => {
          const t = repo.findTask(s.taskId)!;
          return {
            id: s.executionId,
            createdDate: iso(s.startMs),
            modifiedDate: iso(s.startMs),
            modifiedByUserName: s.user,
            task: { id: t.model.id, name: t.model.name, taskType: t.model.taskType },
            schemaPath: "ExecutionSession",
          };
        }),
      condense: pick(["id", "task"]),
    },
    app: {
      full: (opts) => [...repo.apps.values()].map((a) => renderAppFull(repo, a, opts)),
      // An app by id, asked for every run a client enriches: that app alone is rendered.
      candidates: (filter, opts) => {
        const ids = filterIds(filter);
        if (ids === undefined) return undefined;
        return ids.flatMap((id) => {
          const a = repo.findApp(id);
          return a ? [renderAppFull(repo, a, opts)] : [];
        });
      },
      condense: pick([
        "id",
        "name",
        "appId",
        "publishTime",
        "published",
        "stream",
        "savedInProductVersion",
        "migrationHash",
        "availabilityStatus",
        "privileges",
      ]),
      byId: (id, opts) => {
        const a = repo.findApp(id);
        return a ? renderAppFull(repo, a, opts) : undefined;
      },
    },
    user: {
      full: (opts) => [...repo.site.users, ...internalUsers(repo.site.users)].map((u) => renderUserFull(repo, u, opts)),
      condense: pick(["id", "userId", "userDirectory", "userDirectoryConnectorName", "name", "privileges"]),
    },
    stream: {
      full: (opts) => repo.site.streams.map((s) => renderStreamFull(repo, s, opts)),
      condense: pick(["id", "name", "privileges"]),
    },
    tag: {
      full: (opts) => repo.site.tags.map((t) => renderTagFull(t.id, t.name, opts)),
      condense: pick(["id", "name", "privileges"]),
    },
    custompropertydefinition: {
      full: (opts) => repo.site.cpDefs.map((d) => renderCpDefinitionFull(repo, d.id, opts)),
      condense: pick(["id", "name", "valueType", "choiceValues", "privileges"]),
    },
    servernodeconfiguration: {
      full: (opts) => repo.site.nodes.map((n) => renderNodeFull(repo, n.id, opts)),
      condense: pick(["id", "name", "hostName", "privileges"]),
    },
    schedulerservice: {
      full: (opts) => renderSchedulerServices(repo, opts),
      condense: pick(["id", "privileges"]),
    },
    "license/professionalaccesstype": allocation("professional"),
    "license/analyzeraccesstype": allocation("analyzer"),
  };
}
