// Butler's InfluxDB settings → one Steward influxdb channel and its routes. Three Butler layouts convert: Butler
// 9–15 (auth, dbName and retentionPolicy directly under influxDb, no version), Butler 16 with v1Config, and Butler
// 16 with v2Config or v3Config (InfluxDB 3 is written through its v2-compatible write API).
import { B, bool, feature, list, num, put, serviceDestination, str, type Ctx, type Obj } from "./context";
import type { AlertSink } from "./alert-sink";
import { secondsToDuration } from "./units";

const EVENT_BLOCKS = [
  ["reloadTaskFailure", "reload", "failed"],
  ["reloadTaskSuccess", "reload", "succeeded"],
  ["externalProgramTaskFailure", "externalProgram", "failed"],
  ["externalProgramTaskSuccess", "externalProgram", "succeeded"],
  ["userSyncTaskFailure", "userSync", "failed"],
  ["userSyncTaskSuccess", "userSync", "succeeded"],
  ["distributeTaskFailure", "distribute", "failed"],
  ["distributeTaskSuccess", "distribute", "succeeded"],
  ["preloadTaskFailure", "preload", "failed"],
  ["preloadTaskSuccess", "preload", "succeeded"],
] as const;

/** The measurement each of Butler's event blocks writes. */
const MEASUREMENT: Record<(typeof EVENT_BLOCKS)[number][0], string> = {
  reloadTaskFailure: "reload_task_failed",
  reloadTaskSuccess: "reload_task_success",
  externalProgramTaskFailure: "external_program_task_failed",
  externalProgramTaskSuccess: "external_program_task_success",
  userSyncTaskFailure: "user_sync_task_failed",
  userSyncTaskSuccess: "user_sync_task_success",
  distributeTaskFailure: "distribute_task_failed",
  distributeTaskSuccess: "distribute_task_success",
  preloadTaskFailure: "preload_task_failed",
  preloadTaskSuccess: "preload_task_success",
};

const route = (name: string, on: string[], to: string, extra: Obj = {}): Obj => ({ name, on, to: [to], ...extra });

/** The 1.x connection: Butler reads v1Config when it is there, else the older flat keys. */
function v1Connection(c: Ctx, cfg: Obj): void {
  const nested = c.t.has(B("influxDb.v1Config"));
  const p = nested ? "influxDb.v1Config" : "influxDb";
  // Butler's own defaults when a key is missing.
  cfg.database = str(c, `${p}.dbName`) ?? "butler";
  const rp = str(c, `${p}.retentionPolicy.name`);
  if (rp) cfg.retentionPolicy = { name: rp, duration: str(c, `${p}.retentionPolicy.duration`) ?? "INF" };
  if (bool(c, `${p}.auth.enable`)) {
    cfg.username = str(c, `${p}.auth.username`);
    cfg.password = String(c.t.get(B(`${p}.auth.password`)) ?? "");
    if (c.t.has(B(`${p}.auth`))) c.t.mapped(B(`${p}.auth`));
  } else if (c.t.has(B(`${p}.auth`))) c.t.off(B(`${p}.auth`));
  for (const k of ["dbName", "retentionPolicy"]) if (c.t.has(B(`${p}.${k}`))) c.t.mapped(B(`${p}.${k}`));
  if (nested) {
    for (const k of ["auth", "dbName", "retentionPolicy"]) {
      if (c.t.has(B(`influxDb.${k}`))) c.t.unmapped(B(`influxDb.${k}`), "Butler ignores it while influxDb.v1Config is present");
    }
  }
}

function v2Connection(c: Ctx, cfg: Obj): void {
  const p = "influxDb.v2Config";
  Object.assign(cfg, { org: str(c, `${p}.org`), bucket: str(c, `${p}.bucket`), token: str(c, `${p}.token`) });
  for (const k of ["org", "bucket", "token"]) c.t.mapped(B(`${p}.${k}`));
  for (const k of ["description", "retentionDuration"]) {
    if (c.t.has(B(`${p}.${k}`)))
      c.t.unmapped(B(`${p}.${k}`), "Butler never used it either: Steward does not create v2 buckets; create the bucket with its retention yourself");
  }
}

/** InfluxDB 3 accepts the v2 write API (bucket = database, org ignored, token auth); Steward writes through it. */
function v3Connection(c: Ctx, cfg: Obj): void {
  const p = "influxDb.v3Config";
  const database = str(c, `${p}.database`);
  Object.assign(cfg, { org: database, bucket: database, token: str(c, `${p}.token`) });
  const timeout = secondsToDuration((num(c, `${p}.writeTimeout`) ?? 0) / 1000);
  if (timeout) cfg.timeout = timeout;
  for (const k of ["database", "token", "writeTimeout"]) if (c.t.has(B(`${p}.${k}`))) c.t.mapped(B(`${p}.${k}`));
  for (const k of ["description", "retentionDuration"]) {
    if (c.t.has(B(`${p}.${k}`)))
      c.t.unmapped(
        B(`${p}.${k}`),
        "Butler never used it either: Steward does not create InfluxDB 3 databases; create the database with its retention yourself",
      );
  }
  if (c.t.has(B(`${p}.queryTimeout`))) c.t.unmapped(B(`${p}.queryTimeout`), "Steward only writes to InfluxDB, it never queries it");
  c.review.push(
    `InfluxDB 3: Steward writes through InfluxDB 3's v2-compatible write API (/api/v2/write, bucket = database "${database ?? ""}"; InfluxDB 3 ignores the org, so it is set to the database name). The database must exist.`,
  );
}

export function mapInflux(c: Ctx, a: AlertSink): void {
  if (!feature(c, "influxDb")) return;
  const version = num(c, "influxDb.version") ?? 1;
  if (version !== 1 && version !== 2 && version !== 3) {
    c.t.unmapped(B("influxDb"), "only InfluxDB 1.x, 2.x and 3.x are supported");
    return;
  }
  const cfg: Obj = {
    type: "influxdb",
    version: version === 1 ? 1 : 2,
    url: `http://${str(c, "influxDb.hostIP") ?? "localhost"}:${num(c, "influxDb.hostPort") ?? 8086}`,
  };
  for (const k of ["hostIP", "hostPort", "version"]) if (c.t.has(B(`influxDb.${k}`))) c.t.mapped(B(`influxDb.${k}`));
  if (version === 1) v1Connection(c, cfg);
  else if (version === 2) v2Connection(c, cfg);
  else v3Connection(c, cfg);
  for (const [v, block] of [
    [2, "v2Config"],
    [3, "v3Config"],
  ] as const) {
    if (v !== version && c.t.has(B(`influxDb.${block}`))) c.t.off(B(`influxDb.${block}`));
  }
  if (version !== 1 && c.t.has(B("influxDb.v1Config"))) c.t.off(B("influxDb.v1Config"));
  if (version !== 1) for (const k of ["auth", "dbName", "retentionPolicy"]) if (c.t.has(B(`influxDb.${k}`))) c.t.off(B(`influxDb.${k}`));

  // Static tags on every point: Butler's global ones, then (older Butler) instanceTag.
  const tags: Record<string, string> = {};
  // Which Butler keys hold each tag's current value: a different value later on replaces them all.
  const owners = new Map<string, string[]>();
  const replaceTag = (name: string, value: string, from: string) => {
    if (tags[name] !== undefined && tags[name] !== value) {
      for (const key of owners.get(name) ?? [])
        c.t.unmapped(B(key), `Steward writes one value per static tag on every point: ${name}=${value} from ${from} replaces it`);
      owners.set(name, []);
    }
    if (!owners.has(name)) owners.set(name, []);
    tags[name] = value;
  };
  const addTags = (path: string) => {
    list(c, path).forEach((t, i) => {
      const name = String((t as Obj).name);
      const value = String((t as Obj).value);
      replaceTag(name, value, path);
      owners.get(name)!.push(`${path}[${i}]`);
      c.t.mapped(B(`${path}[${i}]`));
    });
    if (c.t.has(B(path))) c.t.mapped(B(path));
  };
  if (c.t.has(B("influxDb.tag"))) c.t.mapped(B("influxDb.tag"));
  addTags("influxDb.tag.static");
  const instance = str(c, "influxDb.instanceTag");
  if (instance) {
    replaceTag("butler_instance", instance, "influxDb.instanceTag");
    owners.get("butler_instance")!.push("influxDb.instanceTag");
  }
  if (c.t.has(B("influxDb.instanceTag"))) c.t.mapped(B("influxDb.instanceTag"));

  const failedTypes: string[] = [];
  const succeededTypes: string[] = [];
  let successByCp: Obj | undefined;
  // Per event block: its own static tags, dynamic tags and log lengths, on its own measurement only (as Butler did).
  const blocks: Array<{ measurement: string; hasApp: boolean; tags: Record<string, string>; useAppTags: boolean; useTaskTags: boolean }> = [];
  for (const [key, type, outcome] of EVENT_BLOCKS) {
    const p = `influxDb.${key}`;
    if (!c.t.has(B(p))) continue;
    if (!bool(c, `${p}.enable`)) {
      c.t.off(B(p));
      continue;
    }
    c.t.mapped(B(p));
    const own: Record<string, string> = {};
    list(c, `${p}.tag.static`).forEach((t, i) => {
      own[String((t as Obj).name)] = String((t as Obj).value);
      c.t.mapped(B(`${p}.tag.static[${i}]`));
    });
    // Butler wrote a dynamic tag only when its switch was true; a block without the switch wrote none.
    blocks.push({
      measurement: MEASUREMENT[key],
      hasApp: type === "reload" || type === "distribute" || type === "preload",
      tags: own,
      useAppTags: bool(c, `${p}.tag.dynamic.useAppTags`),
      useTaskTags: bool(c, `${p}.tag.dynamic.useTaskTags`),
    });
    if (key === "reloadTaskSuccess" && !bool(c, `${p}.allReloadTasks.enable`)) {
      if (c.t.has(B(`${p}.allReloadTasks`))) c.t.off(B(`${p}.allReloadTasks`));
      if (bool(c, `${p}.byCustomProperty.enable`)) {
        successByCp = { name: str(c, `${p}.byCustomProperty.customPropertyName`), value: String(c.t.get(B(`${p}.byCustomProperty.enabledValue`)) ?? "") };
      } else c.t.unmapped(B(p), "neither allReloadTasks nor byCustomProperty is on, so Butler stored no successful reload");
      continue;
    }
    if (key === "reloadTaskSuccess" && bool(c, `${p}.byCustomProperty.enable`)) {
      c.t.unmapped(B(`${p}.byCustomProperty`), "Butler ignores it while allReloadTasks.enable is true (every successful reload is written)");
    } else if (key === "reloadTaskSuccess" && c.t.has(B(`${p}.byCustomProperty`))) c.t.off(B(`${p}.byCustomProperty`));
    (outcome === "failed" ? failedTypes : succeededTypes).push(type);
  }
  if (Object.keys(tags).length) cfg.tags = tags;
  cfg.useAppTags = blocks.some((b) => b.hasApp && b.useAppTags);
  cfg.useTaskTags = blocks.some((b) => b.useTaskTags);
  const measurements: Record<string, Obj> = {};
  const settingsOf = (m: string) => (measurements[m] ??= {});
  for (const b of blocks) {
    if (Object.keys(b.tags).length) settingsOf(b.measurement).tags = b.tags;
    // External program and user sync tasks have no app: the switch means nothing there.
    if (b.hasApp && b.useAppTags !== cfg.useAppTags) settingsOf(b.measurement).useAppTags = b.useAppTags;
    if (b.useTaskTags !== cfg.useTaskTags) settingsOf(b.measurement).useTaskTags = b.useTaskTags;
  }
  for (const [m, lines] of Object.entries(scriptLogLines(c))) settingsOf(m).scriptLogLines = lines;
  if (Object.keys(measurements).length) cfg.measurements = measurements;
  // Grafana dashboards built on Butler's data filter on its misspelt tag; keep writing it.
  cfg.butlerTagTypo = true;
  c.review.push(
    "InfluxDB: butlerTagTypo: true keeps writing Butler's misspelt tag task_exeuctionStatusText next to the correct one, so existing Grafana panels keep working; switch it off once they use task_executionStatusText.",
  );
  c.review.push(
    "InfluxDB: Steward writes Butler's measurements with Butler's field types, so its points land in the database Butler wrote. If InfluxDB ever refuses a point for a field type conflict, /ready and the dashboard name the field, and the event influxdb.field_conflict can be routed to a channel; docs/switching-from-butler.md says how to recover.",
  );
  if (bool(c, "influxDb.reloadTaskSuccess.enable")) {
    // Butler read the script log of successful reloads for reload_task_success; Steward only when asked to.
    put(c, "intake.enrichment.scriptLog.onSuccess", true);
    c.review.push(
      "InfluxDB: reload_task_success carries the script log as in Butler, so intake.enrichment.scriptLog.onSuccess is on: Steward reads the log of every successful reload from QRS.",
    );
  }
  const name = a.add("influxdb", cfg);
  a.influx = name;
  if (failedTypes.length) a.routes.push(route("influxdb-failed", ["task.failed"], name, { taskTypes: failedTypes }));
  if (succeededTypes.length) a.routes.push(route("influxdb-succeeded", ["task.succeeded"], name, { taskTypes: succeededTypes }));
  if (successByCp)
    a.routes.push(
      route("influxdb-reload-succeeded-by-custom-property", ["task.succeeded"], name, { taskTypes: ["reload"], taskCustomProperties: [successByCp] }),
    );
  if (serviceDestination(c, "influxDb")) {
    a.routes.push(route("influxdb-services", ["service.stopped", "service.started"], name));
    c.review.push(
      "InfluxDB: win_service_state is written when a service changes state, not at every check; the current states are on /metrics (steward_service_state).",
    );
  }
}

/** Butler's per-event log lengths, on their own measurements: the failure block's tail, the success block's head and tail. */
function scriptLogLines(c: Ctx): Record<string, Obj> {
  const out: Record<string, Obj> = {};
  const fail = "influxDb.reloadTaskFailure";
  const ok = "influxDb.reloadTaskSuccess";
  const failTail = bool(c, `${fail}.enable`) ? num(c, `${fail}.tailScriptLogLines`) : undefined;
  if (failTail !== undefined) {
    out.reload_task_failed = { tail: failTail };
    c.t.mapped(B(`${fail}.tailScriptLogLines`));
  }
  if (bool(c, `${ok}.enable`)) {
    const head = num(c, `${ok}.headScriptLogLines`);
    const tail = num(c, `${ok}.tailScriptLogLines`);
    if (head !== undefined || tail !== undefined)
      out.reload_task_success = { ...(head !== undefined ? { head } : {}), ...(tail !== undefined ? { tail } : {}) };
    for (const k of ["headScriptLogLines", "tailScriptLogLines"]) if (c.t.has(B(`${ok}.${k}`))) c.t.mapped(B(`${ok}.${k}`));
  }
  return out;
}

/** Butler's per-monitor static tags (destination.influxDb.tag.static) on that monitor's measurement only. */
export function addMeasurementTags(c: Ctx, channel: string, measurement: string, path: string): void {
  const own: Record<string, string> = {};
  list(c, path).forEach((t, i) => {
    own[String((t as Obj).name)] = String((t as Obj).value);
    c.t.mapped(B(`${path}[${i}]`));
  });
  if (c.t.has(B(path))) c.t.mapped(B(path));
  if (!Object.keys(own).length) return;
  const ch = (c.out.channels as Record<string, Obj> | undefined)?.[channel];
  if (!ch) return;
  const measurements = (ch.measurements ??= {}) as Record<string, Obj>;
  const m = (measurements[measurement] ??= {});
  m.tags = { ...((m.tags as Record<string, string> | undefined) ?? {}), ...own };
}
