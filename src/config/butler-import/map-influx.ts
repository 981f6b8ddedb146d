// Butler's InfluxDB settings → one Steward influxdb channel and its routes. Three Butler layouts convert: Butler
// 9–15 (auth, dbName and retentionPolicy directly under influxDb, no version), Butler 16 with v1Config, and Butler
// 16 with v2Config or v3Config (InfluxDB 3 is written through its v2-compatible write API).
import { B, bool, feature, list, num, serviceDestination, str, type Ctx, type Obj } from "./context";
import type { AlertSink } from "./map-alerts";
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
    if (c.t.has(B(`${p}.${k}`))) c.t.unmapped(B(`${p}.${k}`), "Butler never used it either: Steward does not create v2 buckets; create the bucket with its retention yourself");
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
    if (c.t.has(B(`${p}.${k}`))) c.t.unmapped(B(`${p}.${k}`), "Butler never used it either: Steward does not create InfluxDB 3 databases; create the database with its retention yourself");
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
  const cfg: Obj = { type: "influxdb", version: version === 1 ? 1 : 2, url: `http://${str(c, "influxDb.hostIP") ?? "localhost"}:${num(c, "influxDb.hostPort") ?? 8086}` };
  for (const k of ["hostIP", "hostPort", "version"]) if (c.t.has(B(`influxDb.${k}`))) c.t.mapped(B(`influxDb.${k}`));
  if (version === 1) v1Connection(c, cfg);
  else if (version === 2) v2Connection(c, cfg);
  else v3Connection(c, cfg);
  for (const [v, block] of [[2, "v2Config"], [3, "v3Config"]] as const) {
    if (v !== version && c.t.has(B(`influxDb.${block}`))) c.t.off(B(`influxDb.${block}`));
  }
  if (version !== 1 && c.t.has(B("influxDb.v1Config"))) c.t.off(B("influxDb.v1Config"));
  if (version !== 1) for (const k of ["auth", "dbName", "retentionPolicy"]) if (c.t.has(B(`influxDb.${k}`))) c.t.off(B(`influxDb.${k}`));

  // Static tags: Butler's global ones, then (older Butler) instanceTag, then each event block's.
  const tags: Record<string, string> = {};
  // Which Butler keys hold each tag's current value: a different value later on replaces them all.
  const owners = new Map<string, string[]>();
  const replaceTag = (name: string, value: string, from: string) => {
    if (tags[name] !== undefined && tags[name] !== value) {
      for (const key of owners.get(name) ?? []) c.t.unmapped(B(key), `Steward writes one value per static tag on every point: ${name}=${value} from ${from} replaces it`);
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
  let appTags = false;
  let taskTags = false;
  let perEventTags = false;
  for (const [key, type, outcome] of EVENT_BLOCKS) {
    const p = `influxDb.${key}`;
    if (!c.t.has(B(p))) continue;
    if (!bool(c, `${p}.enable`)) {
      c.t.off(B(p));
      continue;
    }
    c.t.mapped(B(p));
    perEventTags ||= list(c, `${p}.tag.static`).length > 0;
    addTags(`${p}.tag.static`);
    appTags ||= bool(c, `${p}.tag.dynamic.useAppTags`);
    taskTags ||= bool(c, `${p}.tag.dynamic.useTaskTags`);
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
  const lines = scriptLogLines(c);
  if (Object.keys(lines).length) cfg.scriptLogLines = lines;
  if (Object.keys(tags).length) cfg.tags = tags;
  cfg.useAppTags = appTags;
  cfg.useTaskTags = taskTags;
  // Grafana dashboards built on Butler's data filter on its misspelt tag; keep writing it.
  cfg.butlerTagTypo = true;
  if (perEventTags) c.review.push("InfluxDB: Butler's per-event static tags are written on every point in Steward (channels.influxdb.tags).");
  c.review.push("InfluxDB: butlerTagTypo: true keeps writing Butler's misspelt tag task_exeuctionStatusText next to the correct one, so existing Grafana panels keep working; switch it off once they use task_executionStatusText.");
  const name = a.add("influxdb", cfg);
  a.influx = name;
  if (failedTypes.length) a.routes.push(route("influxdb-failed", ["task.failed"], name, { taskTypes: failedTypes }));
  if (succeededTypes.length) a.routes.push(route("influxdb-succeeded", ["task.succeeded"], name, { taskTypes: succeededTypes }));
  if (successByCp) a.routes.push(route("influxdb-reload-succeeded-by-custom-property", ["task.succeeded"], name, { taskTypes: ["reload"], taskCustomProperties: [successByCp] }));
  if (serviceDestination(c, "influxDb")) {
    a.routes.push(route("influxdb-services", ["service.stopped", "service.started"], name));
    c.review.push("InfluxDB: win_service_state is written when a service changes state, not at every check; the current states are on /metrics (steward_service_state).");
  }
}

/**
 * Steward's channel has one head and one tail length for all task points. Butler wrote the tail of failed
 * reloads (reloadTaskFailure.tailScriptLogLines) and head and tail of successful ones; the failure tail wins.
 */
function scriptLogLines(c: Ctx): Obj {
  const fail = "influxDb.reloadTaskFailure";
  const ok = "influxDb.reloadTaskSuccess";
  const failOn = bool(c, `${fail}.enable`);
  const okOn = bool(c, `${ok}.enable`);
  const failTail = failOn ? num(c, `${fail}.tailScriptLogLines`) : undefined;
  const okHead = okOn ? num(c, `${ok}.headScriptLogLines`) : undefined;
  const okTail = okOn ? num(c, `${ok}.tailScriptLogLines`) : undefined;
  const tail = failTail ?? okTail;
  if (failTail !== undefined) c.t.mapped(B(`${fail}.tailScriptLogLines`));
  if (okHead !== undefined) c.t.mapped(B(`${ok}.headScriptLogLines`));
  if (okTail !== undefined) {
    if (okTail === tail) c.t.mapped(B(`${ok}.tailScriptLogLines`));
    else c.t.unmapped(B(`${ok}.tailScriptLogLines`), `Steward writes one script-log tail length for failed and successful reloads: ${tail} lines, from reloadTaskFailure.tailScriptLogLines`);
  }
  return { ...(okHead !== undefined ? { head: okHead } : {}), ...(tail !== undefined ? { tail } : {}) };
}
