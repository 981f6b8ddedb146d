// Turns a validated fixture into the site model: fills stable ids and resolves name references (with paths on error).
import { parseUdpTarget } from "../settings";
import { stableGuid } from "../util/ids";
import { defaultScript } from "./default-script";
import type { AppModel, CpDefinitionModel, NodeModel, SiteModel, StreamModel, UserModel } from "./model";
import { cpValues, dayAfterBase, findByIdOrName, findByName, issue, type Resolving, type SiteIssue, tagIds, unique } from "./resolve-refs";
import { resolveTasks } from "./resolve-tasks";
import type { SiteFixture } from "./schema";

export type { SiteIssue } from "./resolve-refs";

export function resolveSite(fx: SiteFixture): { model: SiteModel; issues: SiteIssue[] } {
  const r: Resolving = { issues: [], tags: [], cpDefs: [] };

  const nodes = resolveNodes(r, fx);
  unique(r, nodes, (n) => n.name, "node name", "nodes", "name");

  r.tags = fx.tags.map((t) =>
    typeof t === "string" ? { id: stableGuid("tag", t), name: t } : { id: t.id?.toLowerCase() ?? stableGuid("tag", t.name), name: t.name },
  );
  unique(r, r.tags, (t) => t.name, "tag", "tags", "name");
  r.cpDefs = fx.customProperties.map(
    (c): CpDefinitionModel => ({
      id: c.id?.toLowerCase() ?? stableGuid("customproperty", c.name),
      name: c.name,
      valueType: c.valueType,
      choiceValues: c.choiceValues,
      objectTypes: c.objectTypes,
      description: c.description,
    }),
  );
  unique(r, r.cpDefs, (c) => c.name, "custom property", "customProperties", "name");

  const users = resolveUsers(r, fx);
  unique(r, users, (u) => `${u.userDirectory}\\${u.userId}`, "user", "users", "userId");

  const streams = fx.streams.map((s, i) => ({
    id: s.id?.toLowerCase() ?? stableGuid("stream", s.name),
    name: s.name,
    tagIds: tagIds(r, s.tags, ["streams", i, "tags"]),
    cps: cpValues(r, s.customProperties, "Stream", `stream:${s.name}`, ["streams", i, "customProperties"]),
    createdDate: dayAfterBase(-20 + i),
  }));
  unique(r, streams, (s) => s.name, "stream", "streams", "name");

  const apps = resolveApps(r, fx, users, streams);
  // Derived ids follow names (checked below); only ids written in the fixture can collide on their own.
  unique(r, fx.apps, (a) => a.id, "app id", "apps", "id");

  const findApp = findByIdOrName(apps);

  const tasks = resolveTasks(r, fx, nodes, findApp);
  unique(r, fx.tasks, (t) => t.id, "task id", "tasks", "id");
  unique(r, tasks, (t) => t.name, "task name", "tasks", "name");

  const cloudTasks = fx.cloud.tasks.flatMap(({ app, ...t }, i) => {
    const a = findApp(app);
    if (!a) issue(r, ["cloud", "tasks", i, "app"], `unknown app '${app}' (use an app name or id from apps)`);
    return a ? [{ ...t, appId: a.id }] : [];
  });
  unique(r, cloudTasks, (t) => t.name, "cloud task name", "cloud.tasks", "name");

  const model: SiteModel = { info: fx.site, license: fx.license, nodes, users, streams, tags: r.tags, cpDefs: r.cpDefs, apps, tasks, cloudTasks };
  return { model, issues: r.issues };
}

/** Nodes with their UDP targets parsed; the first is central when none says so. */
function resolveNodes(r: Resolving, fx: SiteFixture): NodeModel[] {
  const nodes = fx.nodes.map((n, i) => ({
    id: n.id?.toLowerCase() ?? stableGuid("node", n.name),
    name: n.name,
    hostName: n.hostName,
    central: n.central,
    scheduler: { maxConcurrentEngines: n.scheduler?.maxConcurrentEngines ?? 4, engineTimeout: n.scheduler?.engineTimeout ?? 30 },
    udpTargets: n.udpTargets?.map((t, j) => {
      if (typeof t !== "string") return t;
      const parsed = parseUdpTarget(t);
      if (!parsed) issue(r, ["nodes", i, "udpTargets", j], `invalid UDP target '${t}' (host:port, e.g. 127.0.0.1:9998)`);
      return parsed ?? { host: "", port: 0 };
    }),
  }));
  if (nodes.length > 0 && !nodes.some((n) => n.central)) nodes[0]!.central = true;
  return nodes;
}

function resolveUsers(r: Resolving, fx: SiteFixture): UserModel[] {
  return fx.users.map((u, i) => {
    const key = `${u.userDirectory}\\${u.userId}`;
    return {
      id: u.id?.toLowerCase() ?? stableGuid("user", key.toLowerCase()),
      userDirectory: u.userDirectory,
      userId: u.userId,
      name: u.name ?? u.userId,
      emails: u.email === undefined ? [] : Array.isArray(u.email) ? u.email : [u.email],
      roles: u.roles,
      tagIds: tagIds(r, u.tags, ["users", i, "tags"]),
      cps: cpValues(r, u.customProperties, "User", `user:${key}`, ["users", i, "customProperties"]),
      inactive: u.inactive,
      blacklisted: u.blacklisted,
      removedExternally: u.removedExternally,
      access: u.access,
      lastUsed: u.lastUsed,
      createdDate: dayAfterBase(-30 + i),
    };
  });
}

/** Apps with their owner and stream resolved; dates and file size derived when the fixture gives none. */
function resolveApps(r: Resolving, fx: SiteFixture, users: UserModel[], streams: StreamModel[]): AppModel[] {
  return fx.apps.map((a, i) => {
    const owner = users.find((u) => `${u.userDirectory}\\${u.userId}`.toLowerCase() === a.owner.toLowerCase());
    if (!owner) issue(r, ["apps", i, "owner"], `unknown owner '${a.owner}' (write DIRECTORY\\userid of a user under users)`);
    let streamId: string | null = null;
    if (a.stream !== null) {
      const stream = findByName(streams, a.stream);
      if (!stream) issue(r, ["apps", i, "stream"], `unknown stream '${a.stream}'`);
      streamId = stream?.id ?? null;
    }
    const createdDate = a.createdDate ?? dayAfterBase(i);
    const script = a.script ?? defaultScript(a.name);
    return {
      id: a.id?.toLowerCase() ?? stableGuid("app", a.name),
      name: a.name,
      ownerId: owner?.id ?? "",
      streamId,
      description: a.description,
      fileSize: a.fileSize ?? 1_048_576 + ((script.length * 7919) % 50) * 262_144,
      tagIds: tagIds(r, a.tags, ["apps", i, "tags"]),
      cps: cpValues(r, a.customProperties, "App", `app:${a.name}`, ["apps", i, "customProperties"]),
      script,
      lastReloadTime: a.lastReloadTime ?? new Date(Date.parse(createdDate) + 3_600_000).toISOString(),
      createdDate,
      publishTime: streamId === null ? "1753-01-01T00:00:00.000Z" : new Date(Date.parse(createdDate) + 7_200_000).toISOString(),
      reload: {
        durationMs: a.reload.durationMs,
        outcome: a.reload.outcome,
        error: a.reload.error,
        loadedRows: a.reload.loadedRows,
        storedRows: a.reload.storedRows,
        memoryConstrained: a.reload.memoryConstrained,
      },
      content: a.content,
      expressions: a.expressions,
    };
  });
}
