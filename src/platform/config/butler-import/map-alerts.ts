// Butler's per-channel × per-event alert blocks → Steward's named channels and routes. Identical channel
// settings share one channel; each enabled Butler block becomes one route with its rate limit and recipients.
import { B, bool, feature, isPlaceholder, list, num, serviceDestination, str, type Ctx, type Obj } from "./context";
import { butlerRepeats, type AlertSink, type Alerts } from "./alert-sink";
import { mapInflux } from "./map-influx";
import { mapNewRelicChannels, mapSignl4 } from "./map-incident";
import { secondsToDuration } from "./units";

const TEMPLATES = "Steward renders its own templates (eta, not Handlebars); put overrides in notify.templatesDir";
const TEMPLATE_KEYS = ["messageType", "basicMsgTemplate", "templateFile", "basicContentOnly", "subject", "bodyFileDirectory", "htmlTemplateFile"];

type Kind = "task.failed" | "task.aborted" | "task.succeeded" | "service.stopped" | "service.started" | "license.expiring" | "license.expired";
interface Block {
  key: string;
  kind: Kind;
  taskType?: string;
  service?: boolean;
}

export type { AlertSink, Alerts } from "./alert-sink";

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

function createAlerts(): AlertSink {
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
  const on = Array.isArray(kind) ? kind : [kind];
  return { name, on, to, ...extra, ...butlerRepeats(on) };
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
function mapChat(c: Ctx, a: AlertSink, type: "slack" | "teams"): void {
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
    if (type === "teams" && c.t.has(B(`${p}.channel`))) c.t.unmapped(B(`${p}.channel`), "a Teams workflow URL already names its channel");
    const lines = logLines(c, p);
    if (lines) cfg.scriptLogLines = lines;
    const name = a.add(type, cfg);
    const rateLimit = secondsToDuration(num(c, `${p}.rateLimit`));
    a.routes.push(
      route(`${type}-${kebab(b.key)}`, b.kind, [name], { ...(b.taskType ? { taskTypes: [b.taskType] } : {}), ...(rateLimit ? { rateLimit } : {}) }),
    );
    c.t.mapped(B(p));
    markTemplates(c, p);
  }
}

function ownerRef(u: unknown): string {
  const o = u as Obj;
  return `${String(o.directory)}\\${String(o.userId)}`;
}

/** The items of a Butler list that are settings; the template's placeholders (`<Email address 1>`) are reported instead. */
function realItems(c: Ctx, path: string, text: (item: unknown) => string, what: string): unknown[] {
  return list(c, path).filter((item, i) => {
    if (!isPlaceholder(text(item)) && !/<[^>]*>/.test(text(item))) return true;
    c.t.unmapped(B(`${path}[${i}]`), `a placeholder of Butler's template, not ${what}: add yours to the converted route`);
    return false;
  });
}

function mapEmail(c: Ctx, a: AlertSink): void {
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
  if (bool(c, `${s}.tls.requireTLS`) && !secure)
    c.review.push(
      "E-mail: Butler's requireTLS never reached nodemailer, so mail may have gone out unencrypted; Steward enforces STARTTLS (security: starttls).",
    );
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
    // fromAdress: the spelling of Butler's templates before 13.
    const cfg: Obj = { type: "email", smtp, from: str(c, `${p}.fromAddress`) ?? str(c, `${p}.fromAdress`) };
    const lines = logLines(c, p);
    if (lines) cfg.scriptLogLines = lines;
    const channel = a.add("email", cfg);
    const recipients: Obj = { addresses: realItems(c, `${p}.recipients`, String, "an address").map(String) };
    if (bool(c, `${p}.alertEnableByCustomProperty.enable`)) {
      recipients.enableByCustomProperty = {
        name: str(c, `${p}.alertEnableByCustomProperty.customPropertyName`),
        value: String(c.t.get(B(`${p}.alertEnableByCustomProperty.enabledValue`)) ?? ""),
      };
      c.t.mapped(B(`${p}.alertEnableByCustomProperty`));
    } else c.t.off(B(`${p}.alertEnableByCustomProperty`));
    const fromCp = str(c, `${p}.alertEnabledByEmailAddress.customPropertyName`);
    if (fromCp) recipients.fromCustomProperty = fromCp;
    if (bool(c, `${p}.appOwnerAlert.enable`)) {
      const all = bool(c, `${p}.appOwnerAlert.includeOwner.includeAll`);
      recipients.appOwner = {
        include: all ? "all" : realItems(c, `${p}.appOwnerAlert.includeOwner.user`, ownerRef, "a user").map(ownerRef),
        exclude: realItems(c, `${p}.appOwnerAlert.excludeOwner.user`, ownerRef, "a user").map(ownerRef),
      };
      c.t.mapped(B(`${p}.appOwnerAlert`));
    } else c.t.off(B(`${p}.appOwnerAlert`));
    const extra: Obj = { ...(b.taskType ? { taskTypes: [b.taskType] } : {}) };
    const rateLimit = secondsToDuration(num(c, `${p}.rateLimit`));
    if (rateLimit) extra.rateLimit = rateLimit;
    a.routes.push(route(`email-${kebab(b.key)}`, b.kind, [channel], { ...extra, recipients }));
    c.t.mapped(B(p));
    markTemplates(c, p);
    const priority = str(c, `${p}.priority`);
    const steward = b.kind === "task.failed" || b.kind === "task.aborted" || b.kind === "service.stopped" ? "high" : "normal";
    if (priority && priority !== steward)
      c.t.unmapped(B(`${p}.priority`), `Steward sends ${b.kind} mail with priority ${steward}; set channels.<name>.priority to change it for a whole channel`);
  }
}

function mapWebhooks(c: Ctx, a: AlertSink): void {
  if (!feature(c, "webhookNotification")) return;
  const services = serviceDestination(c, "webhook");
  const blocks: Array<Block & { kinds?: Kind[] }> = [
    ...TASK_BLOCKS,
    { key: "serviceMonitor", kind: "service.stopped", service: true, kinds: ["service.stopped", "service.started"] },
  ];
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
      const base =
        typeof w.description === "string" && w.description
          ? `webhook-${w.description
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, "-")
              .replace(/^-|-$/g, "")}`
          : "webhook";
      return a.add(base, cfg);
    });
    const rateLimit = secondsToDuration(num(c, `${p}.rateLimit`));
    c.t.mapped(B(`${p}.rateLimit`));
    a.routes.push(
      route(`webhook-${kebab(b.key)}`, b.kinds ?? b.kind, names, { ...(b.taskType ? { taskTypes: [b.taskType] } : {}), ...(rateLimit ? { rateLimit } : {}) }),
    );
  }
  // License alerts: Butler's expiry-alert webhooks get license.expiring / license.expired when its server license
  // monitor sends alerts to webhooks; its recurring status webhooks have no Steward equivalent.
  const licenseAlerts =
    bool(c, "qlikSenseLicense.serverLicenseMonitor.enable") &&
    bool(c, "qlikSenseLicense.serverLicenseMonitor.destination.webhook.enable") &&
    bool(c, "qlikSenseLicense.serverLicenseMonitor.destination.webhook.sendAlert.enable");
  for (const k of ["qlikSenseServerLicenseMonitor", "qlikSenseServerLicenseExpiryAlert"]) {
    const p = `webhookNotification.${k}`;
    if (!c.t.has(B(p))) continue;
    const hooks = list(c, `${p}.webhooks`);
    if (!hooks.length) {
      c.t.off(B(p));
      continue;
    }
    if (k === "qlikSenseServerLicenseMonitor") {
      c.t.unmapped(
        B(p),
        "Steward raises license.expiring / license.expired when a threshold is crossed; the status at every check is in InfluxDB and GET /v4/license",
      );
      continue;
    }
    if (!licenseAlerts) {
      c.t.off(B(p));
      continue;
    }
    c.t.mapped(B(p));
    const names = hooks.map((h) => {
      const w = h as Obj;
      return a.add("webhook-license", {
        type: "webhook",
        url: w.webhookURL,
        method: String(w.httpMethod ?? "POST").toUpperCase(),
        ...(w.description ? { description: w.description } : {}),
      });
    });
    const rateLimit = secondsToDuration(num(c, `${p}.rateLimit`));
    a.routes.push(route("webhook-license", ["license.expiring", "license.expired"], names, rateLimit ? { rateLimit } : {}));
  }
}

function mapMqttChannel(c: Ctx, a: AlertSink): void {
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
    ["qlikSenseServerLicenseTopic", "serverLicense"],
    ["qlikSenseServerLicenseExpireTopic", "serverLicenseExpire"],
  ] as const) {
    if (str(c, `${p}.${from}`)) topics[to] = str(c, `${p}.${from}`);
    c.t.mapped(B(`${p}.${from}`));
  }
  // Butler switches the JSON (*_full) topic per event; a Steward channel has one sendFull, so differing
  // switches become two channels on the same broker, one per event.
  const failureFull = bool(c, `${p}.taskFailureSendFull`);
  const abortedFull = bool(c, `${p}.taskAbortedSendFull`);
  c.t.mapped(B(`${p}.taskFailureSendFull`));
  c.t.mapped(B(`${p}.taskAbortedSendFull`));
  const mqtt = (c.out.mqtt as Obj | undefined) ?? {};
  const channel = (sendFull: boolean) =>
    a.add("mqtt", { type: "mqtt", url: mqtt.url, ...connection(mqtt), butlerTopics: { ...topics, sendFull }, structured: { enabled: false } });
  const failed = channel(failureFull);
  if (failureFull === abortedFull) a.routes.push(route("mqtt-task-alerts", ["task.failed", "task.aborted"], [failed], { taskTypes: ["reload"] }));
  else {
    a.routes.push(route("mqtt-task-failure", "task.failed", [failed], { taskTypes: ["reload"] }));
    a.routes.push(route("mqtt-task-aborted", "task.aborted", [channel(abortedFull)], { taskTypes: ["reload"] }));
    c.review.push(
      `MQTT: Butler published the JSON of failed reloads ${failureFull ? "and not" : "but not"} of aborted ones (taskFailureSendFull: ${failureFull}, taskAbortedSendFull: ${abortedFull}); Steward does the same with two mqtt channels on the same broker.`,
    );
  }
  if (serviceDestination(c, "mqtt")) a.routes.push(route("mqtt-services", ["service.stopped", "service.started"], [failed]));
  const lic = "qlikSenseLicense.serverLicenseMonitor";
  if (bool(c, `${lic}.enable`) && bool(c, `${lic}.destination.mqtt.enable`) && bool(c, `${lic}.destination.mqtt.sendAlert.enable`)) {
    a.routes.push(route("mqtt-license", ["license.expiring", "license.expired"], [failed]));
  }
}

/** The broker TLS (Azure Event Grid's client certificate) of the mqtt: section, which the alert channels share. The
 * client id is not shared: two connections with one id would keep disconnecting each other. */
function connection(mqtt: Obj): Obj {
  return mqtt.tls !== undefined ? { tls: mqtt.tls } : {};
}

function mapIncidentTools(c: Ctx, a: AlertSink): void {
  mapSignl4(c, a);
  mapNewRelicChannels(c, a);
}

export function mapAlerts(c: Ctx): Alerts {
  const a = createAlerts();
  mapEmail(c, a);
  mapChat(c, a, "slack");
  mapChat(c, a, "teams");
  mapWebhooks(c, a);
  mapInflux(c, a);
  mapMqttChannel(c, a);
  mapIncidentTools(c, a);
  return { channels: a.channels, routes: a.routes, ...(a.influx ? { influx: a.influx } : {}) };
}
