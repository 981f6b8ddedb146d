// Turns a validated fixture into the site model: fills stable ids and resolves name references (with paths on error).
import { Cron } from "croner";
import { stableGuid } from "../util/ids";
import { TASK_TYPE_BY_NAME } from "./model";
import type { AppModel, CpDefinitionModel, CpValueModel, SiteModel, TaskModel, TriggerModel, UserModel } from "./model";
import type { SiteFixture, TaskFixture } from "./schema";
import { defaultScript } from "./default-script";
import { parseUdpTarget } from "../settings";

export interface SiteIssue {
  path: (string | number)[];
  message: string;
}

const CP_OBJECT_TYPE: Record<TaskFixture["type"], string> = {
  reload: "ReloadTask",
  externalProgram: "ExternalProgramTask",
  userSync: "UserSyncTask",
  distribute: "ReloadTask",
  preload: "ReloadTask",
};

/** Base date for entities without an explicit createdDate: spread a day apart so lists look natural. */
const BASE_MS = Date.UTC(2024, 1, 1, 8, 0, 0);
const dayAfterBase = (i: number) => new Date(BASE_MS + i * 86_400_000).toISOString();

const INCREMENT_OPTIONS = ["once", "hourly", "daily", "weekly", "monthly", "custom"];
/** QMC's own "minutes hours days weeks" for each option when the site file gives none. */
const DEFAULT_INCREMENT = ["0 0 0 0", "0 1 0 0", "0 0 1 0", "0 0 0 1", "0 0 0 0", "0 0 1 0"];

export function resolveSite(fx: SiteFixture): { model: SiteModel; issues: SiteIssue[] } {
  const issues: SiteIssue[] = [];
  const issue = (path: (string | number)[], message: string) => issues.push({ path, message });

  /** Reports repeated keys (case-insensitive); items whose key is undefined are skipped. */
  const unique = <T>(items: T[], key: (t: T) => string | undefined, label: string, section: string, field: string) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const raw = key(item);
      if (raw === undefined) return;
      const prev = seen.get(raw.toLowerCase());
      if (prev !== undefined) issue([section, i, field], `duplicate ${label} '${raw}' (also at ${section}[${prev}])`);
      else seen.set(raw.toLowerCase(), i);
    });
  };

  const nodes = fx.nodes.map((n, i) => ({
    id: n.id?.toLowerCase() ?? stableGuid("node", n.name),
    name: n.name,
    hostName: n.hostName,
    central: n.central,
    udpTargets: n.udpTargets?.map((t, j) => {
      if (typeof t !== "string") return t;
      const parsed = parseUdpTarget(t);
      if (!parsed) issue(["nodes", i, "udpTargets", j], `invalid UDP target '${t}' (host:port, e.g. 127.0.0.1:9998)`);
      return parsed ?? { host: "", port: 0 };
    }),
  }));
  if (nodes.length > 0 && !nodes.some((n) => n.central)) nodes[0]!.central = true;
  unique(nodes, (n) => n.name, "node name", "nodes", "name");

  const tags = fx.tags.map((t) =>
    typeof t === "string" ? { id: stableGuid("tag", t), name: t } : { id: t.id?.toLowerCase() ?? stableGuid("tag", t.name), name: t.name },
  );
  unique(tags, (t) => t.name, "tag", "tags", "name");
  const cpDefs: CpDefinitionModel[] = fx.customProperties.map((c) => ({
    id: c.id?.toLowerCase() ?? stableGuid("customproperty", c.name),
    name: c.name,
    valueType: c.valueType,
    choiceValues: c.choiceValues,
    objectTypes: c.objectTypes,
    description: c.description,
  }));
  unique(cpDefs, (c) => c.name, "custom property", "customProperties", "name");

  const findByName = <T extends { name: string }>(items: T[], name: string) =>
    items.find((i) => i.name === name) ?? items.find((i) => i.name.toLowerCase() === name.toLowerCase());

  const tagIds = (names: string[], path: (string | number)[]) =>
    names.flatMap((name, i) => {
      const tag = findByName(tags, name);
      if (!tag) issue([...path, i], `unknown tag '${name}' (declare it under tags)`);
      return tag ? [tag.id] : [];
    });

  const cpValues = (values: Record<string, string | string[]>, objectType: string, owner: string, path: (string | number)[]) => {
    const out: CpValueModel[] = [];
    for (const [name, raw] of Object.entries(values)) {
      const def = findByName(cpDefs, name);
      if (!def) {
        issue([...path, name], `unknown custom property '${name}' (declare it under customProperties)`);
        continue;
      }
      if (!def.objectTypes.includes(objectType)) {
        issue([...path, name], `custom property '${name}' does not apply to ${objectType} (objectTypes: ${def.objectTypes.join(", ")})`);
      }
      for (const value of Array.isArray(raw) ? raw : [raw]) {
        if (def.choiceValues.length > 0 && !def.choiceValues.includes(value)) {
          issue([...path, name], `value '${value}' is not one of ${def.name}'s choiceValues (${def.choiceValues.join(", ")})`);
        }
        out.push({ id: stableGuid("cpvalue", `${owner}/${def.id}/${value}`), definitionId: def.id, value });
      }
    }
    return out;
  };

  const users: UserModel[] = fx.users.map((u, i) => {
    const key = `${u.userDirectory}\\${u.userId}`;
    return {
      id: u.id?.toLowerCase() ?? stableGuid("user", key.toLowerCase()),
      userDirectory: u.userDirectory,
      userId: u.userId,
      name: u.name ?? u.userId,
      emails: u.email === undefined ? [] : Array.isArray(u.email) ? u.email : [u.email],
      roles: u.roles,
      tagIds: tagIds(u.tags, ["users", i, "tags"]),
      cps: cpValues(u.customProperties, "User", `user:${key}`, ["users", i, "customProperties"]),
      inactive: u.inactive,
      blacklisted: u.blacklisted,
      removedExternally: u.removedExternally,
      access: u.access,
      lastUsed: u.lastUsed,
      createdDate: dayAfterBase(-30 + i),
    };
  });
  unique(users, (u) => `${u.userDirectory}\\${u.userId}`, "user", "users", "userId");

  const streams = fx.streams.map((s, i) => ({
    id: s.id?.toLowerCase() ?? stableGuid("stream", s.name),
    name: s.name,
    tagIds: tagIds(s.tags, ["streams", i, "tags"]),
    cps: cpValues(s.customProperties, "Stream", `stream:${s.name}`, ["streams", i, "customProperties"]),
    createdDate: dayAfterBase(-20 + i),
  }));
  unique(streams, (s) => s.name, "stream", "streams", "name");

  const apps: AppModel[] = fx.apps.map((a, i) => {
    const owner = users.find((u) => `${u.userDirectory}\\${u.userId}`.toLowerCase() === a.owner.toLowerCase());
    if (!owner) issue(["apps", i, "owner"], `unknown owner '${a.owner}' (write DIRECTORY\\userid of a user under users)`);
    let streamId: string | null = null;
    if (a.stream !== null) {
      const stream = findByName(streams, a.stream);
      if (!stream) issue(["apps", i, "stream"], `unknown stream '${a.stream}'`);
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
      tagIds: tagIds(a.tags, ["apps", i, "tags"]),
      cps: cpValues(a.customProperties, "App", `app:${a.name}`, ["apps", i, "customProperties"]),
      script,
      lastReloadTime: a.lastReloadTime ?? new Date(Date.parse(createdDate) + 3_600_000).toISOString(),
      createdDate,
      publishTime: streamId === null ? "1753-01-01T00:00:00.000Z" : new Date(Date.parse(createdDate) + 7_200_000).toISOString(),
      reload: { durationMs: a.reload.durationMs, outcome: a.reload.outcome, error: a.reload.error },
      content: a.content,
      expressions: a.expressions,
    };
  });
  // Derived ids follow names (checked below); only ids written in the fixture can collide on their own.
  unique(fx.apps, (a) => a.id, "app id", "apps", "id");

  const findApp = (ref: string) => apps.find((a) => a.id.toLowerCase() === ref.toLowerCase()) ?? findByName(apps, ref);

  const tasks: TaskModel[] = fx.tasks.map((t, i) => {
    const path = ["tasks", i];
    let nodeId = nodes[0]?.id ?? "";
    if (t.node !== undefined) {
      const node = findByName(nodes, t.node);
      if (!node) issue([...path, "node"], `unknown node '${t.node}'`);
      else nodeId = node.id;
    }
    if (t.schedule !== undefined) {
      try {
        new Cron(t.schedule, { paused: true }).stop();
      } catch (err) {
        issue([...path, "schedule"], `invalid cron expression '${t.schedule}': ${(err as Error).message}`);
      }
    }
    const appRef = "app" in t ? t.app : undefined;
    let appId: string | undefined;
    if (appRef !== undefined) {
      const app = findApp(appRef);
      if (!app) issue([...path, "app"], `unknown app '${appRef}' (use an app name or id from apps)`);
      appId = app?.id;
    }
    return {
      id: t.id?.toLowerCase() ?? stableGuid("task", t.name),
      name: t.name,
      taskType: TASK_TYPE_BY_NAME[t.type],
      enabled: t.enabled,
      tagIds: tagIds(t.tags, [...path, "tags"]),
      cps: cpValues(t.customProperties, CP_OBJECT_TYPE[t.type], `task:${t.name}`, [...path, "customProperties"]),
      nodeId,
      maxRetries: t.maxRetries,
      taskSessionTimeout: t.taskSessionTimeout,
      durationMs: t.durationMs,
      outcome: t.outcome,
      schedule: t.schedule,
      triggers: [],
      createdDate: t.createdDate ?? dayAfterBase(10 + i),
      modifiedByUserName: t.modifiedByUserName ?? "INTERNAL\\sa_repository",
      appId,
      partial: t.type === "reload" ? t.partial : false,
      manuallyTriggered: t.type === "reload" ? t.manuallyTriggered : false,
      scriptError: t.type === "reload" ? t.scriptError : undefined,
      failMessage: t.type === "preload" ? t.failMessage : undefined,
      path: t.type === "externalProgram" ? t.path : undefined,
      parameters: t.type === "externalProgram" ? t.parameters : undefined,
      userDirectory: t.type === "userSync" ? t.userDirectory : undefined,
    };
  });
  // Composite rules name upstream tasks, so they resolve once every task has its id.
  const findTask = (ref: string) => tasks.find((x) => x.id === ref.toLowerCase()) ?? findByName(tasks, ref);
  fx.tasks.forEach((t, i) => {
    tasks[i]!.triggers = t.triggers.map((tr, j): TriggerModel => {
      const id = stableGuid("trigger", `${tasks[i]!.id}/${tr.name}`);
      if (tr.type === "schema") {
        const option = INCREMENT_OPTIONS.indexOf(tr.incrementOption);
        return {
          type: "schema",
          id,
          name: tr.name,
          enabled: tr.enabled,
          incrementOption: option,
          incrementDescription: tr.incrementDescription ?? DEFAULT_INCREMENT[option]!,
          startDate: tr.startDate,
          expirationDate: tr.expirationDate,
          timeZone: tr.timeZone,
          daylightSavingTime: tr.daylightSavingTime,
          schemaFilterDescription: tr.schemaFilterDescription,
        };
      }
      const rules = tr.rules.map((r, k) => {
        const up = findTask(r.task);
        if (!up) issue(["tasks", i, "triggers", j, "rules", k, "task"], `unknown task '${r.task}' (use a task name or id from tasks)`);
        return { id: stableGuid("rule", `${id}/${k}`), taskId: up?.id ?? "", ruleState: r.state === "success" ? (1 as const) : (2 as const) };
      });
      return { type: "composite", id, name: tr.name, enabled: tr.enabled, timeConstraint: tr.timeConstraint, rules };
    });
  });
  unique(fx.tasks, (t) => t.id, "task id", "tasks", "id");
  unique(tasks, (t) => t.name, "task name", "tasks", "name");

  const cloudTasks = fx.cloud.tasks.flatMap(({ app, ...t }, i) => {
    const a = findApp(app);
    if (!a) issue(["cloud", "tasks", i, "app"], `unknown app '${app}' (use an app name or id from apps)`);
    return a ? [{ ...t, appId: a.id }] : [];
  });
  unique(cloudTasks, (t) => t.name, "cloud task name", "cloud.tasks", "name");

  const model: SiteModel = { info: fx.site, license: fx.license, nodes, users, streams, tags, cpDefs, apps, tasks, cloudTasks };
  return { model, issues };
}
