// Butler's per-channel × per-event alert blocks → Steward's named channels and routes. Identical channel
// settings share one channel; each enabled Butler block becomes one route with its rate limit and recipients.
import { B, bool, feature, list, num, str, type Ctx, type Obj } from "./context";
import { NO_NEW_RELIC } from "./map-core";
import { secondsToDuration } from "./units";

const TEMPLATES = "Steward renders its own templates (eta, not Handlebars); put overrides in notify.templatesDir";
const TEMPLATE_KEYS = ["messageType", "basicMsgTemplate", "templateFile", "basicContentOnly", "subject", "bodyFileDirectory", "htmlTemplateFile"];

type Kind = "task.failed" | "task.aborted" | "task.succeeded" | "service.stopped" | "service.started";
interface Block {
  key: string;
  kind: Kind;
  taskType?: string;
  service?: boolean;
}

export interface Alerts {
  channels: Obj;
  routes: Obj[];
  /** Name of the InfluxDB channel, for the uptime monitor. */
  influx?: string;
}

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

function createAlerts(): Alerts & { add(base: string, cfg: Obj): string } {
  const channels: Obj = {};
  return {
    channels,
    routes: [],
    add(base, cfg) {
      // A block without script-log settings can share a channel that has them (it shows no log anyway).
      const strip = (o: Obj) => JSON.stringify({ ...o, scriptLogLines: undefined });
      const text = JSON.stringify(cfg);
      for (const [name, existing] of Object.entries(channels)) {
        if (JSON.stringify(existing) === text || (cfg.scriptLogLines === undefined && strip(existing as Obj) === strip(cfg))) return name;
      }
      let name = base;
      for (let i = 2; channels[name]; i++) name = `${base}-${i}`;
      channels[name] = cfg;
      return name;
    },
  };
}

function serviceDestination(c: Ctx, dest: string): boolean {
  const on = bool(c, "serviceMonitor.enable") && bool(c, `serviceMonitor.alertDestination.${dest}.enable`);
  if (c.t.has(B(`serviceMonitor.alertDestination.${dest}`))) {
    if (on) c.t.mapped(B(`serviceMonitor.alertDestination.${dest}`));
    else c.t.off(B(`serviceMonitor.alertDestination.${dest}`));
  }
  return on;
}

function markTemplates(c: Ctx, path: string): void {
  for (const k of TEMPLATE_KEYS) if (c.t.has(B(`${path}.${k}`))) c.t.unmapped(B(`${path}.${k}`), TEMPLATES);
}

function logLines(c: Ctx, path: string): Obj | undefined {
  const head = num(c, `${path}.headScriptLogLines`);
  const tail = num(c, `${path}.tailScriptLogLines`);
  if (head === undefined && tail === undefined) return undefined;
  c.t.mapped(B(`${path}.headScriptLogLines`));
  c.t.mapped(B(`${path}.tailScriptLogLines`));
  return { ...(head !== undefined ? { head } : {}), ...(tail !== undefined ? { tail } : {}) };
}

function route(name: string, kind: Kind | Kind[], to: string[], extra: Obj = {}): Obj {
  return { name, on: Array.isArray(kind) ? kind : [kind], to, ...extra };
}

const TASK_BLOCKS: Block[] = [
  { key: "reloadTaskFailure", kind: "task.failed", taskType: "reload" },
  { key: "reloadTaskAborted", kind: "task.aborted", taskType: "reload" },
];
const SERVICE_BLOCKS: Block[] = [
  { key: "serviceStopped", kind: "service.stopped", service: true },
  { key: "serviceStarted", kind: "service.started", service: true },
];

/** Slack and Teams have the same block layout. */
function mapChat(c: Ctx, a: ReturnType<typeof createAlerts>, type: "slack" | "teams"): void {
  const root = `${type}Notification`;
  if (!feature(c, root)) return;
  const services = serviceDestination(c, type);
  for (const b of [...TASK_BLOCKS, ...SERVICE_BLOCKS]) {
    const p = `${root}.${b.key}`;
    if (!c.t.has(B(p))) continue;
    const on = b.service ? services : bool(c, `${p}.enable`);
    if (!on) {
      c.t.off(B(p));
      continue;
    }
    const cfg: Obj = { type, webhookUrl: str(c, `${p}.webhookURL`) };
    if (type === "slack") {
      if (str(c, `${p}.channel`)) cfg.channel = str(c, `${p}.channel`);
      if (str(c, `${p}.fromUser`)) cfg.username = str(c, `${p}.fromUser`);
      if (str(c, `${p}.iconEmoji`)) cfg.iconEmoji = str(c, `${p}.iconEmoji`);
    }
    const lines = logLines(c, p);
    if (lines) cfg.scriptLogLines = lines;
    const name = a.add(type, cfg);
    const rateLimit = secondsToDuration(num(c, `${p}.rateLimit`));
    a.routes.push(route(`${type}-${kebab(b.key)}`, b.kind, [name], { ...(b.taskType ? { taskTypes: [b.taskType] } : {}), ...(rateLimit ? { rateLimit } : {}) }));
    c.t.mapped(B(p));
    markTemplates(c, p);
  }
}

function ownerRef(u: unknown): string {
  const o = u as Obj;
  return `${String(o.directory)}\\${String(o.userId)}`;
}

function mapEmail(c: Ctx, a: ReturnType<typeof createAlerts>): void {
  if (!feature(c, "emailNotification")) return;
  const s = "emailNotification.smtp";
  const secure = bool(c, `${s}.secure`);
  const smtp: Obj = {
    host: str(c, `${s}.host`),
    ...(num(c, `${s}.port`) !== undefined ? { port: num(c, `${s}.port`) } : {}),
    security: secure ? "tls" : bool(c, `${s}.tls.requireTLS`) ? "starttls" : bool(c, `${s}.tls.ignoreTLS`) ? "none" : "opportunistic",
    ...(bool(c, `${s}.auth.enable`) ? { auth: { user: str(c, `${s}.auth.user`), password: String(c.t.get(B(`${s}.auth.password`)) ?? "") } } : {}),
    ...(str(c, `${s}.tls.serverName`) ? { servername: str(c, `${s}.tls.serverName`) } : {}),
    ...(c.t.get(B(`${s}.tls.rejectUnauthorized`)) === false ? { rejectUnauthorized: false } : {}),
  };
  c.t.mapped(B(s));
  if (!bool(c, `${s}.auth.enable`)) c.t.off(B(`${s}.auth`));
  if (bool(c, `${s}.tls.requireTLS`) && !secure) c.review.push("E-mail: Butler's requireTLS never reached nodemailer, so mail may have gone out unencrypted; Steward enforces STARTTLS (security: starttls).");
  const services = serviceDestination(c, "email");
  const blocks: Block[] = [
    { key: "reloadTaskFailure", kind: "task.failed", taskType: "reload" },
    { key: "reloadTaskAborted", kind: "task.aborted", taskType: "reload" },
    { key: "reloadTaskSuccess", kind: "task.succeeded", taskType: "reload" },
    { key: "distributeTaskFailure", kind: "task.failed", taskType: "distribute" },
    { key: "distributeTaskSuccess", kind: "task.succeeded", taskType: "distribute" },
    { key: "preloadTaskFailure", kind: "task.failed", taskType: "preload" },
    { key: "preloadTaskSuccess", kind: "task.succeeded", taskType: "preload" },
    ...SERVICE_BLOCKS,
  ];
  for (const b of blocks) {
    const p = `emailNotification.${b.key}`;
    if (!c.t.has(B(p))) continue;
    const on = b.service ? services : bool(c, `${p}.enable`);
    if (!on) {
      c.t.off(B(p));
      continue;
    }
    const cfg: Obj = { type: "email", smtp, from: str(c, `${p}.fromAddress`) };
    const lines = logLines(c, p);
    if (lines) cfg.scriptLogLines = lines;
    const channel = a.add("email", cfg);
    const recipients: Obj = { addresses: list(c, `${p}.recipients`).map(String) };
    if (bool(c, `${p}.alertEnableByCustomProperty.enable`)) {
      recipients.enableByCustomProperty = { name: str(c, `${p}.alertEnableByCustomProperty.customPropertyName`), value: String(c.t.get(B(`${p}.alertEnableByCustomProperty.enabledValue`)) ?? "") };
      c.t.mapped(B(`${p}.alertEnableByCustomProperty`));
    } else c.t.off(B(`${p}.alertEnableByCustomProperty`));
    const fromCp = str(c, `${p}.alertEnabledByEmailAddress.customPropertyName`);
    if (fromCp) recipients.fromCustomProperty = fromCp;
    if (bool(c, `${p}.appOwnerAlert.enable`)) {
      const all = bool(c, `${p}.appOwnerAlert.includeOwner.includeAll`);
      recipients.appOwner = {
        include: all ? "all" : list(c, `${p}.appOwnerAlert.includeOwner.user`).map(ownerRef),
        exclude: list(c, `${p}.appOwnerAlert.excludeOwner.user`).map(ownerRef),
      };
      c.t.mapped(B(`${p}.appOwnerAlert`));
    } else c.t.off(B(`${p}.appOwnerAlert`));
    const extra: Obj = { ...(b.taskType ? { taskTypes: [b.taskType] } : {}) };
    if (b.key === "reloadTaskSuccess") {
      if (bool(c, `${p}.allReloadTasks.enable`)) {
        c.t.mapped(B(`${p}.allReloadTasks`));
        c.t.off(B(`${p}.byCustomProperty`));
      } else if (bool(c, `${p}.byCustomProperty.enable`)) {
        extra.taskCustomProperties = [{ name: str(c, `${p}.byCustomProperty.customPropertyName`), value: String(c.t.get(B(`${p}.byCustomProperty.enabledValue`)) ?? "") }];
        c.t.mapped(B(`${p}.byCustomProperty`));
        c.t.off(B(`${p}.allReloadTasks`));
      } else {
        c.t.off(B(p));
        continue;
      }
    }
    const rateLimit = secondsToDuration(num(c, `${p}.rateLimit`));
    if (rateLimit) extra.rateLimit = rateLimit;
    a.routes.push(route(`email-${kebab(b.key)}`, b.kind, [channel], { ...extra, recipients }));
    c.t.mapped(B(p));
    markTemplates(c, p);
    const priority = str(c, `${p}.priority`);
    const steward = b.kind === "task.failed" || b.kind === "task.aborted" || b.kind === "service.stopped" ? "high" : "normal";
    if (priority && priority !== steward) c.t.unmapped(B(`${p}.priority`), `Steward sends ${b.kind} mail with priority ${steward}; set channels.<name>.priority to change it for a whole channel`);
  }
}

function mapWebhooks(c: Ctx, a: ReturnType<typeof createAlerts>): void {
  if (!feature(c, "webhookNotification")) return;
  const services = serviceDestination(c, "webhook");
  const blocks: Array<Block & { kinds?: Kind[] }> = [...TASK_BLOCKS, { key: "serviceMonitor", kind: "service.stopped", service: true, kinds: ["service.stopped", "service.started"] }];
  for (const b of blocks) {
    const p = `webhookNotification.${b.key}`;
    if (!c.t.has(B(p))) continue;
    const hooks = list(c, `${p}.webhooks`);
    if ((b.service && !services) || hooks.length === 0) {
      c.t.off(B(p));
      continue;
    }
    const names = hooks.map((h, i) => {
      const w = h as Obj;
      const cert = (w.cert ?? {}) as Obj;
      const cfg: Obj = { type: "webhook", url: w.webhookURL, method: String(w.httpMethod ?? "POST").toUpperCase() };
      if (w.description) cfg.description = w.description;
      if (cert.enable === true && typeof cert.certCA === "string" && cert.certCA) cfg.ca = cert.certCA;
      if (cert.enable === true && cert.rejectUnauthorized === false) cfg.rejectUnauthorized = false;
      c.t.mapped(B(`${p}.webhooks[${i}]`));
      const base = typeof w.description === "string" && w.description ? `webhook-${w.description.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}` : "webhook";
      return a.add(base, cfg);
    });
    const rateLimit = secondsToDuration(num(c, `${p}.rateLimit`));
    c.t.mapped(B(`${p}.rateLimit`));
    a.routes.push(route(`webhook-${kebab(b.key)}`, b.kinds ?? b.kind, names, { ...(b.taskType ? { taskTypes: [b.taskType] } : {}), ...(rateLimit ? { rateLimit } : {}) }));
  }
  for (const k of ["qlikSenseServerLicenseMonitor", "qlikSenseServerLicenseExpiryAlert"]) {
    const p = `webhookNotification.${k}`;
    if (!c.t.has(B(p))) continue;
    if (list(c, `${p}.webhooks`).length) c.t.unmapped(B(p), "license monitoring is not part of Steward");
    else c.t.off(B(p));
  }
}

function mapInflux(c: Ctx, a: ReturnType<typeof createAlerts>): void {
  if (!feature(c, "influxDb")) return;
  const version = num(c, "influxDb.version") ?? 1;
  if (version !== 1 && version !== 2) {
    c.t.unmapped(B("influxDb"), "only InfluxDB 1.x and the 2.x write API are supported");
    return;
  }
  const url = `http://${str(c, "influxDb.hostIP") ?? "localhost"}:${num(c, "influxDb.hostPort") ?? 8086}`;
  const cfg: Obj = { type: "influxdb", version, url };
  for (const k of ["hostIP", "hostPort", "version"]) c.t.mapped(B(`influxDb.${k}`));
  if (version === 1) {
    cfg.database = str(c, "influxDb.v1Config.dbName");
    const rp = str(c, "influxDb.v1Config.retentionPolicy.name");
    if (rp) cfg.retentionPolicy = { name: rp, duration: str(c, "influxDb.v1Config.retentionPolicy.duration") ?? "INF" };
    if (bool(c, "influxDb.v1Config.auth.enable")) {
      cfg.username = str(c, "influxDb.v1Config.auth.username");
      cfg.password = String(c.t.get(B("influxDb.v1Config.auth.password")) ?? "");
    } else c.t.off(B("influxDb.v1Config.auth"));
    c.t.mapped(B("influxDb.v1Config"));
    for (const other of ["v2Config", "v3Config"]) if (c.t.has(B(`influxDb.${other}`))) c.t.off(B(`influxDb.${other}`));
  } else {
    Object.assign(cfg, { org: str(c, "influxDb.v2Config.org"), bucket: str(c, "influxDb.v2Config.bucket"), token: str(c, "influxDb.v2Config.token") });
    c.t.mapped(B("influxDb.v2Config"));
    for (const k of ["description", "retentionDuration"]) if (c.t.has(B(`influxDb.v2Config.${k}`))) c.t.unmapped(B(`influxDb.v2Config.${k}`), "Steward does not create v2 buckets; create the bucket with its retention yourself");
    for (const other of ["v1Config", "v3Config"]) if (c.t.has(B(`influxDb.${other}`))) c.t.off(B(`influxDb.${other}`));
  }
  const tags: Record<string, string> = {};
  const instance = str(c, "influxDb.instanceTag");
  if (instance) tags.butler_instance = instance;
  const tagOwner = (name: string) => (name === "butler_instance" && instance ? "influxDb.instanceTag" : undefined);
  c.t.mapped(B("influxDb.instanceTag"));
  const failedTypes: string[] = [];
  const succeededTypes: string[] = [];
  let successByCp: Obj | undefined;
  let appTags = false;
  let taskTags = false;
  let staticPerEvent = false;
  for (const [key, type, outcome] of [
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
  ] as const) {
    const p = `influxDb.${key}`;
    if (!c.t.has(B(p))) continue;
    if (!bool(c, `${p}.enable`)) {
      c.t.off(B(p));
      continue;
    }
    c.t.mapped(B(p));
    for (const t of list(c, `${p}.tag.static`)) {
      const tagName = String((t as Obj).name);
      if (tagOwner(tagName)) c.review.push(`InfluxDB: the static tag ${tagName} of ${p} replaces the value of ${tagOwner(tagName)}.`);
      tags[tagName] = String((t as Obj).value);
      staticPerEvent = true;
    }
    appTags ||= bool(c, `${p}.tag.dynamic.useAppTags`);
    taskTags ||= bool(c, `${p}.tag.dynamic.useTaskTags`);
    const tail = num(c, `${p}.tailScriptLogLines`);
    if (tail !== undefined) cfg.scriptLogLines = { tail };
    if (key === "reloadTaskSuccess" && !bool(c, `${p}.allReloadTasks.enable`)) {
      if (bool(c, `${p}.byCustomProperty.enable`)) successByCp = { name: str(c, `${p}.byCustomProperty.customPropertyName`), value: String(c.t.get(B(`${p}.byCustomProperty.enabledValue`)) ?? "") };
      continue;
    }
    (outcome === "failed" ? failedTypes : succeededTypes).push(type);
  }
  if (Object.keys(tags).length) cfg.tags = tags;
  cfg.useAppTags = appTags;
  cfg.useTaskTags = taskTags;
  if (staticPerEvent) c.review.push("InfluxDB: Butler's per-event static tags are written on every point in Steward (channels.influxdb.tags).");
  const name = a.add("influxdb", cfg);
  a.influx = name;
  if (failedTypes.length) a.routes.push(route("influxdb-failed", "task.failed", [name], { taskTypes: failedTypes }));
  if (succeededTypes.length) a.routes.push(route("influxdb-succeeded", "task.succeeded", [name], { taskTypes: succeededTypes }));
  if (successByCp) a.routes.push(route("influxdb-reload-succeeded-by-custom-property", "task.succeeded", [name], { taskTypes: ["reload"], taskCustomProperties: [successByCp] }));
  if (serviceDestination(c, "influxDb")) {
    a.routes.push(route("influxdb-services", ["service.stopped", "service.started"], [name]));
    c.review.push("InfluxDB: win_service_state is written when a service changes state, not at every check; the current states are on /metrics (steward_service_state).");
  }
}

function mapMqttChannel(c: Ctx, a: ReturnType<typeof createAlerts>): void {
  if (!bool(c, "mqttConfig.enable")) return;
  const p = "mqttConfig";
  const topics: Obj = {};
  for (const [from, to] of [
    ["taskFailureTopic", "taskFailure"],
    ["taskFailureFullTopic", "taskFailureFull"],
    ["taskAbortedTopic", "taskAborted"],
    ["taskAbortedFullTopic", "taskAbortedFull"],
    ["serviceRunningTopic", "serviceRunning"],
    ["serviceStoppedTopic", "serviceStopped"],
  ] as const) {
    if (str(c, `${p}.${from}`)) topics[to] = str(c, `${p}.${from}`);
    c.t.mapped(B(`${p}.${from}`));
  }
  const full = bool(c, `${p}.taskFailureSendFull`) || bool(c, `${p}.taskAbortedSendFull`);
  topics.sendFull = full;
  c.t.mapped(B(`${p}.taskFailureSendFull`));
  c.t.mapped(B(`${p}.taskAbortedSendFull`));
  const url = (c.out.mqtt as Obj | undefined)?.url;
  const name = a.add("mqtt", { type: "mqtt", url, butlerTopics: topics, structured: { enabled: false } });
  a.routes.push(route("mqtt-task-alerts", ["task.failed", "task.aborted"], [name], { taskTypes: ["reload"] }));
  if (serviceDestination(c, "mqtt")) a.routes.push(route("mqtt-services", ["service.stopped", "service.started"], [name]));
}

function mapIncidentTools(c: Ctx): void {
  if (c.t.has(B("incidentTool.signl4"))) {
    if (bool(c, "incidentTool.signl4.enable")) {
      c.t.unmapped(B("incidentTool.signl4"), "no Signl4 channel; a webhook channel can post to the Signl4 webhook URL (with Steward's webhook payload instead of Butler's Signl4 alert)");
    } else c.t.off(B("incidentTool.signl4"));
  }
  if (c.t.has(B("incidentTool.newRelic"))) {
    if (bool(c, "incidentTool.newRelic.enable")) c.t.unmapped(B("incidentTool.newRelic"), NO_NEW_RELIC);
    else c.t.off(B("incidentTool.newRelic"));
  }
  if (serviceDestination(c, "newRelic")) c.t.unmapped(B("serviceMonitor.alertDestination.newRelic"), NO_NEW_RELIC);
}

export function mapAlerts(c: Ctx): Alerts {
  const a = createAlerts();
  mapEmail(c, a);
  mapChat(c, a, "slack");
  mapChat(c, a, "teams");
  mapWebhooks(c, a);
  mapInflux(c, a);
  mapMqttChannel(c, a);
  mapIncidentTools(c);
  return { channels: a.channels, routes: a.routes, ...(a.influx ? { influx: a.influx } : {}) };
}
