// Butler → Steward for everything but alerts and the REST server: logging, UDP intake, the Qlik Sense
// connection, key-value store, scheduler, start filter, MQTT connection, service monitoring, heartbeat, uptime
// monitor and links.
import { B, bool, feature, isPlaceholder, list, num, put, str, type Ctx, type Obj } from "./context";
import { restOff } from "./map-rest";
import { laterToDuration } from "./units";

const LEVELS: Record<string, string> = { error: "error", warn: "warn", info: "info", verbose: "debug", debug: "debug", silly: "trace" };

export function mapLogging(c: Ctx): void {
  const level = str(c, "logLevel");
  if (level && LEVELS[level]) {
    put(c, "logging.level", LEVELS[level]);
    c.t.mapped(B("logLevel"));
  }
  c.t.unmapped(B("fileLogging"), "Steward logs to stdout (the journal under systemd); as a Windows service to <dataDir>\\logs\\steward.log, rolled by size");
  c.t.unmapped(B("logDirectory"), "see fileLogging: the Windows service writes its rolling log under <dataDir>\\logs");
  if (c.t.has(B("anonTelemetry"))) c.t.unmapped(B("anonTelemetry"), "Steward sends no telemetry at all");
  if (c.t.has(B("systemInfo"))) c.t.unmapped(B("systemInfo"), "not needed: Steward detects the platform itself");
  if (feature(c, "configVisualisation"))
    c.t.unmapped(B("configVisualisation"), "no config web page; use `steward config check FILE`, GET /v4/admin/security and the /ui dashboard");
  if (feature(c, "dockerHealthCheck")) c.t.unmapped(B("dockerHealthCheck"), "no separate health port: use GET /health and GET /ready on the REST port");
  if (c.t.has(B("restServerApiDocGenerate"))) c.t.unmapped(B("restServerApiDocGenerate"), "API documentation is always served at /docs and /openapi.json");
}

export function mapUdp(c: Ctx): void {
  if (!c.t.has(B("udpServerConfig"))) return;
  const on = bool(c, "udpServerConfig.enable");
  c.t.mapped(B("udpServerConfig.enable"));
  if (!on) {
    put(c, "udp.enabled", false);
    c.t.off(B("udpServerConfig"));
    return;
  }
  const p = "udpServerConfig";
  put(c, "udp.host", str(c, `${p}.serverHost`) ?? "0.0.0.0");
  put(c, "udp.port", num(c, `${p}.portTaskFailure`) ?? 9998);
  c.t.mapped(B(`${p}.serverHost`));
  c.t.mapped(B(`${p}.portTaskFailure`));
  if (bool(c, `${p}.enableSourceValidation`) && list(c, `${p}.allowedSources`).length) {
    put(c, "udp.allowedSources", list(c, `${p}.allowedSources`).map(String));
    c.t.mapped(B(`${p}.enableSourceValidation`));
    c.t.mapped(B(`${p}.allowedSources`));
  } else {
    c.t.off(B(`${p}.allowedSources`));
    c.t.off(B(`${p}.enableSourceValidation`));
    // Butler accepted datagrams from anyone here; Steward's empty list is narrower (docs/security.md#who-may-send).
    const qrsHost = str(c, "configQRS.host");
    c.review.push(
      qrsHost && !isPlaceholder(qrsHost)
        ? "udp.allowedSources is left empty: Steward admits datagrams only from qlik.host and the server nodes QRS lists (Butler took them from any host). A node whose host name does not resolve from Steward's machine to the address it sends from must be listed there."
        : "udp.allowedSources is left empty and there is no qlik: section: Steward admits datagrams only from this server's loopback. List the Sense nodes there.",
    );
  }
  const size = num(c, `${p}.maxMessageSize`);
  if (size !== undefined) put(c, "udp.maxDatagramBytes", Math.min(Math.max(size, 256), 65_535));
  c.t.mapped(B(`${p}.maxMessageSize`));
  const q = num(c, `${p}.messageQueue.maxSize`);
  if (q !== undefined) put(c, "intake.queueSize", q);
  const conc = num(c, `${p}.messageQueue.maxConcurrent`);
  if (conc !== undefined) put(c, "intake.concurrency", Math.min(Math.max(conc, 1), 64));
  const bp = num(c, `${p}.messageQueue.backpressureThreshold`);
  if (bp !== undefined) put(c, "intake.backpressureWarnRatio", Math.min(Math.max(bp / 100, 0.1), 1));
  c.t.mapped(B(`${p}.messageQueue`));
  if (c.t.has(B(`${p}.deduplication`))) {
    const ttl = num(c, `${p}.deduplication.ttlMinutes`) ?? 10;
    put(c, "intake.dedupe", { enabled: bool(c, `${p}.deduplication.enable`), ttlHours: Math.max(0.1, Math.round((ttl / 60) * 1000) / 1000) });
    c.t.mapped(B(`${p}.deduplication`));
  }
  if (bool(c, `${p}.rateLimit.enable`))
    c.t.unmapped(B(`${p}.rateLimit`), "no datagram rate limit: datagrams go through a bounded queue with de-duplication, and excess is dropped and counted");
  else c.t.off(B(`${p}.rateLimit`));
  if (bool(c, `${p}.queueMetrics.influxdb.enable`)) c.t.unmapped(B(`${p}.queueMetrics`), "queue metrics are on /metrics (Prometheus), not written to InfluxDB");
  else c.t.off(B(`${p}.queueMetrics`));
}

function qlikUser(value: unknown): { userDirectory?: string; userId?: string } {
  if (typeof value !== "string") return {};
  const dir = /UserDirectory=([^;]+)/i.exec(value)?.[1];
  const id = /UserId=([^;]+)/i.exec(value)?.[1];
  return { ...(dir ? { userDirectory: dir.trim() } : {}), ...(id ? { userId: id.trim() } : {}) };
}

export function mapQlik(c: Ctx): void {
  const host = str(c, "configQRS.host");
  if (!host || isPlaceholder(host)) {
    for (const k of ["configQRS", "configEngine", "cert", "qlikSenseUrls"]) {
      if (c.t.has(B(k)))
        c.t.unmapped(
          B(k),
          "the Butler config names no Qlik Sense server (configQRS.host is missing or a template placeholder): set qlik.host, the certificates and qlik.userDirectory/userId yourself",
        );
    }
    return;
  }
  const qlik: Obj = { host, qrsPort: num(c, "configQRS.port") ?? 4242, enginePort: num(c, "configEngine.port") ?? 4747 };
  c.t.mapped(B("configQRS.host"));
  c.t.mapped(B("configQRS.port"));
  c.t.mapped(B("configEngine.port"));
  const engineHost = str(c, "configEngine.host");
  if (engineHost && engineHost !== host)
    c.review.push(`Butler used ${engineHost} for the Engine and ${host} for QRS; Steward uses qlik.host (${host}) for both.`);
  if (engineHost) c.t.mapped(B("configEngine.host"));
  for (const [from, to] of [
    ["cert.clientCert", "clientCert"],
    ["cert.clientCertKey", "clientKey"],
    ["cert.clientCertCA", "rootCa"],
  ] as const) {
    const v = str(c, from);
    if (v && isPlaceholder(v)) c.t.unmapped(B(from), "a template placeholder, not a file: set the path yourself");
    else if (v) {
      qlik[to] = v;
      c.t.mapped(B(from));
    }
  }
  if (qlik.clientCert)
    c.review.push(
      "Check the certificate paths under qlik: Butler resolved relative paths against its own folder; Steward resolves them against the config file's folder.",
    );
  const insecure = c.t.get(B("configQRS.rejectUnauthorized")) === false || c.t.get(B("configEngine.rejectUnauthorized")) === false;
  if (insecure) {
    qlik.rejectUnauthorized = false;
    c.review.push(
      "SECURITY: Butler did not verify the Qlik Sense server certificate (rejectUnauthorized: false); this config keeps that. With root.pem from the QMC export, remove qlik.rejectUnauthorized.",
    );
  }
  c.t.mapped(B("configQRS.rejectUnauthorized"));
  c.t.mapped(B("configEngine.rejectUnauthorized"));
  // Steward acts as one user on QRS and the Engine: the QRS one (first) wins.
  const setUser = (value: unknown, section: string) => {
    const user = qlikUser(value);
    if (qlik.userId === undefined) Object.assign(qlik, user);
    else if (user.userId !== undefined && (user.userId !== qlik.userId || user.userDirectory !== qlik.userDirectory)) {
      c.review.push(
        `Butler's ${section} used X-Qlik-User ${String(value)}; Steward uses the QRS user (${String(qlik.userDirectory)}\\${String(qlik.userId)}) for the Engine too.`,
      );
    }
  };
  for (const section of ["configQRS", "configEngine"]) {
    list(c, `${section}.headers.static`).forEach((h, i) => {
      const header = h as Obj;
      if (String(header.name).toLowerCase() === "x-qlik-user") {
        setUser(header.value, section);
        c.t.mapped(B(`${section}.headers.static[${i}]`));
      } else c.t.unmapped(B(`${section}.headers.static[${i}]`), "Steward sends only X-Qlik-User (qlik.userDirectory / qlik.userId)");
    });
    // Butler before 13: configQRS.headerKey/headerValue, configEngine.headers as a name → value mapping.
    const legacy: Array<[string, unknown, string]> =
      section === "configQRS"
        ? c.t.has(B(`${section}.headerKey`))
          ? [[String(c.t.get(B(`${section}.headerKey`))), c.t.get(B(`${section}.headerValue`)), `${section}.headerKey`]]
          : []
        : Object.entries((c.t.get(B(`${section}.headers`)) ?? {}) as Obj)
            .filter(([k]) => k !== "static")
            .map(([k, v]) => [k, v, `${section}.headers.${k}`]);
    for (const [name, value, key] of legacy) {
      if (name.toLowerCase() === "x-qlik-user") {
        setUser(value, section);
        c.t.mapped(B(key));
        if (key.endsWith(".headerKey")) c.t.mapped(B(`${section}.headerValue`));
      } else c.t.unmapped(B(key), "Steward sends only X-Qlik-User (qlik.userDirectory / qlik.userId)");
    }
    if (bool(c, `${section}.useSSL`)) c.t.mapped(B(`${section}.useSSL`));
    else if (c.t.has(B(`${section}.useSSL`))) c.t.unmapped(B(`${section}.useSSL`), "Steward always uses HTTPS/WSS with the client certificate");
  }
  if (str(c, "configQRS.authentication") === "certificates") c.t.mapped(B("configQRS.authentication"));
  c.t.unmapped(B("configEngine.engineVersion"), "not needed: Steward speaks the Engine's JSON-RPC protocol without enigma schema files");
  for (const [from, to] of [
    ["qmc", "qmcUrl"],
    ["hub", "hubUrl"],
  ] as const) {
    const url = str(c, `qlikSenseUrls.${from}`);
    if (url && isPlaceholder(url)) c.t.unmapped(B(`qlikSenseUrls.${from}`), `a template placeholder, not a link: set qlik.${to} yourself`);
    else {
      if (url) qlik[to] = url;
      if (c.t.has(B(`qlikSenseUrls.${from}`))) c.t.mapped(B(`qlikSenseUrls.${from}`));
    }
  }
  // Butler's app links may go through a virtual proxy that the hub link does not name.
  const appBase = str(c, "qlikSenseUrls.appBaseUrl");
  if (appBase && isPlaceholder(appBase)) c.t.unmapped(B("qlikSenseUrls.appBaseUrl"), "a template placeholder, not a link: set qlik.appBaseUrl yourself");
  else if (appBase) {
    qlik.appBaseUrl = appBase;
    c.t.mapped(B("qlikSenseUrls.appBaseUrl"));
  } else if (c.t.has(B("qlikSenseUrls.appBaseUrl"))) c.t.mapped(B("qlikSenseUrls.appBaseUrl"));
  put(c, "qlik", qlik);
}

export function mapControl(c: Ctx): void {
  if (feature(c, "startTaskFilter")) {
    const p = "startTaskFilter.allowTask";
    put(c, "control.startTaskFilter", {
      enabled: true,
      taskIds: list(c, `${p}.taskId`).map(String),
      tags: list(c, `${p}.tag`).map(String),
      customProperties: list(c, `${p}.customProperty`).map((x) => ({ name: String((x as Obj).name), value: String((x as Obj).value) })),
    });
    c.t.mapped(B("startTaskFilter"));
    c.review.push(
      "The start filter's lists are additive in Steward (id OR tag OR custom property) and apply to every start path: REST, MQTT and schedules. Butler checked each list separately and only on REST starts.",
    );
  }
  const slackUrl = str(c, "slackNotification.restMessage.webhookURL");
  if (slackUrl && bool(c, "restServerEndpointsEnable.slackPostMessage") && !restOff(c)) {
    put(c, "control.slack", { webhookUrl: slackUrl });
    c.t.mapped(B("slackNotification.restMessage"));
  } else if (c.t.has(B("slackNotification.restMessage")) && !restOff(c)) c.t.off(B("slackNotification.restMessage"));
}

export function mapMqttConnection(c: Ctx): void {
  if (!feature(c, "mqttConfig")) return;
  const p = "mqttConfig";
  const azure = bool(c, `${p}.azureEventGrid.enable`);
  const url = `${azure ? "mqtts" : "mqtt"}://${str(c, `${p}.brokerHost`) ?? "localhost"}:${num(c, `${p}.brokerPort`) ?? (azure ? 8883 : 1883)}`;
  const mqtt: Obj = { url };
  if (azure) {
    mqtt.clientId = str(c, `${p}.azureEventGrid.clientId`);
    mqtt.tls = { cert: str(c, `${p}.azureEventGrid.clientCertFile`), key: str(c, `${p}.azureEventGrid.clientKeyFile`) };
    c.t.mapped(B(`${p}.azureEventGrid`));
    c.review.push(
      "MQTT (Azure Event Grid): Steward opens one connection for task starts and one per mqtt channel, all with this client certificate; the Event Grid client must allow that many sessions.",
    );
  } else c.t.off(B(`${p}.azureEventGrid`));
  const start = str(c, `${p}.taskStartTopic`);
  if (start) {
    mqtt.taskStart = { topic: start };
    c.t.mapped(B(`${p}.taskStartTopic`));
    c.review.push("MQTT task starts now pass the start filter (control.startTaskFilter), and results are published on <taskStartTopic>/result.");
  }
  c.t.mapped(B(`${p}.brokerHost`));
  c.t.mapped(B(`${p}.brokerPort`));
  c.t.unmapped(B(`${p}.subscriptionRootTopic`), "Steward subscribes only to the task-start topic");
  // Butler published these whenever MQTT was on: its connect line on a fixed topic, "start"/"error" from the UDP server.
  mqtt.butlerStatus = { udpServerTopic: str(c, `${p}.taskFailureServerStatusTopic`) ?? "qliksense/butler/task_failure_server" };
  if (c.t.has(B(`${p}.taskFailureServerStatusTopic`))) c.t.mapped(B(`${p}.taskFailureServerStatusTopic`));
  c.t.unmapped(B(`${p}.serviceStatusTopic`), "service states are published when they change (and are on /metrics at every check)");
  // The license topics are used by the mqtt alert channel (map-alerts.ts).
  for (const k of ["qlikSenseServerLicenseTopic", "qlikSenseServerLicenseExpireTopic"]) if (c.t.has(B(`${p}.${k}`))) c.t.mapped(B(`${p}.${k}`));
  if (bool(c, `${p}.qlikSenseCloud.event.mqttForward.enable`)) c.t.unmapped(B(`${p}.qlikSenseCloud`), "Qlik Cloud is not supported");
  else c.t.off(B(`${p}.qlikSenseCloud`));
  put(c, "mqtt", mqtt);
}

export function mapStoreAndScheduler(c: Ctx): void {
  if (c.t.has(B("restServerEndpointsEnable.keyValueStore")) && !restOff(c)) {
    put(c, "kv.enabled", bool(c, "restServerEndpointsEnable.keyValueStore"));
    c.t.mapped(B("restServerEndpointsEnable.keyValueStore"));
  }
  const max = num(c, "keyValueStore.maxKeysPerNamespace");
  if (max !== undefined) {
    put(c, "kv.maxKeysPerNamespace", max);
    c.t.mapped(B("keyValueStore.maxKeysPerNamespace"));
    c.review.push(
      `Key-value store: Butler never enforced maxKeysPerNamespace (${max}); Steward does (a new key beyond it gets 409), and it also caps namespaces at kv.maxNamespaces. Raise them if your load scripts keep more.`,
    );
  }
  if (c.t.has(B("keyValueStore.enable")))
    c.t.unmapped(B("keyValueStore.enable"), "Butler never read it; kv.enabled follows restServerEndpointsEnable.keyValueStore");
  if (c.t.has(B("scheduler.enable"))) {
    put(c, "scheduler.enabled", bool(c, "scheduler.enable"));
    c.t.mapped(B("scheduler.enable"));
    if (c.schedulesFile) {
      c.t.mapped(B("scheduler.configfile"));
      if (c.schedulesImportFile) put(c, "scheduler.importFile", c.schedulesImportFile);
    } else if (bool(c, "scheduler.enable"))
      c.t.unmapped(B("scheduler.configfile"), "schedules live in Steward's store: import them with --schedules FILE or `steward schedules import FILE`");
    else c.t.off(B("scheduler.configfile"));
    if (bool(c, "scheduler.enable")) {
      c.review.push(
        c.schedulesImportFile
          ? `Schedules: they are in ${c.schedulesImportFile}, beside the converted config, and Steward imports them when it starts (scheduler.importFile). Copy both files to the new server. Several Qlik nodes: give the file to one Steward only (or to every Steward of a PostgreSQL cluster, which imports it once), like Butler ran them on one server.`
          : "Several Qlik nodes: schedules (and key-value pairs) live in this Steward's data folder. Import the schedules into one Steward only, like Butler ran them on one server; each Steward that holds them starts their tasks.",
      );
    }
  }
}

export function mapServiceMonitor(c: Ctx): void {
  if (!feature(c, "serviceMonitor")) return;
  const interval = laterToDuration(c.t.get(B("serviceMonitor.frequency")));
  if (interval) c.t.mapped(B("serviceMonitor.frequency"));
  else
    c.t.unmapped(
      B("serviceMonitor.frequency"),
      "only `every N seconds|minutes|hours` converts; Steward checks every 30s unless serviceMonitor.interval says otherwise",
    );
  put(c, "serviceMonitor", {
    ...(interval ? { interval } : {}),
    windows: list(c, "serviceMonitor.monitor").map((m) => {
      const host = (m as Obj).host;
      // Butler before 13 listed services as plain names.
      const services = ((m as Obj).services as Array<Obj | string> | undefined) ?? [];
      return { host, services: services.map((s) => (typeof s === "string" ? s : s.friendlyName ? { name: s.name, friendlyName: s.friendlyName } : s.name)) };
    }),
  });
  c.t.mapped(B("serviceMonitor.monitor"));
  // A destination whose own channel is off in Butler (teamsNotification.enable: false, …) received no service alert,
  // whatever its alertDestination says: off, like the channel. The channels that are on claimed theirs already.
  for (const dest of Object.keys((c.t.get(B("serviceMonitor.alertDestination")) as Obj | undefined) ?? {})) {
    const enable = B(`serviceMonitor.alertDestination.${dest}.enable`);
    if (c.t.has(enable) && c.t.verdict(enable) === undefined) c.t.off(B(`serviceMonitor.alertDestination.${dest}`));
  }
  c.review.push(
    "Service monitoring reads the state codes of sc.exe (any Windows language) and treats every state, not only STOPPED, correctly; remote hosts need the Service Control Manager reachable over RPC from the Steward host.",
  );
}

export function mapHeartbeatAndUptime(c: Ctx, influxChannel: string | undefined): void {
  if (feature(c, "heartbeat")) {
    const interval = laterToDuration(c.t.get(B("heartbeat.frequency")));
    put(c, "heartbeat", { url: str(c, "heartbeat.remoteURL"), ...(interval ? { interval } : {}) });
    c.t.mapped(B("heartbeat.remoteURL"));
    if (interval) c.t.mapped(B("heartbeat.frequency"));
    else
      c.t.unmapped(
        B("heartbeat.frequency"),
        "only `every N seconds|minutes|hours` converts; Steward beats every minute unless heartbeat.interval says otherwise",
      );
  }
  if (feature(c, "uptimeMonitor")) {
    const interval = laterToDuration(c.t.get(B("uptimeMonitor.frequency")));
    const level = LEVELS[str(c, "uptimeMonitor.logLevel") ?? "info"] ?? "info";
    const u: Obj = { ...(interval ? { interval } : {}), logLevel: ["info", "debug", "trace"].includes(level) ? level : "info" };
    if (interval) c.t.mapped(B("uptimeMonitor.frequency"));
    else
      c.t.unmapped(
        B("uptimeMonitor.frequency"),
        "only `every N seconds|minutes|hours` converts; Steward logs uptime every 15 minutes unless uptimeMonitor.interval says otherwise",
      );
    c.t.mapped(B("uptimeMonitor.logLevel"));
    if (bool(c, "uptimeMonitor.storeInInfluxdb.enable") && influxChannel) {
      u.influxChannel = influxChannel;
      c.t.mapped(B("uptimeMonitor.storeInInfluxdb"));
    } else c.t.off(B("uptimeMonitor.storeInInfluxdb"));
    if (bool(c, "uptimeMonitor.storeNewRelic.enable"))
      c.t.unmapped(B("uptimeMonitor.storeNewRelic"), "Steward's uptime and memory go to /metrics (Prometheus) and InfluxDB, not to New Relic");
    else c.t.off(B("uptimeMonitor.storeNewRelic"));
    put(c, "uptimeMonitor", u);
  }
  const links = list(c, "genericUrls");
  if (links.length) {
    put(
      c,
      "notify.links",
      links.map((l) => ({ id: (l as Obj).id, linkText: (l as Obj).linkText, comment: (l as Obj).comment ?? "", url: (l as Obj).url })),
    );
    c.t.mapped(B("genericUrls"));
  }
}

export function mapUnsupported(c: Ctx): void {
  for (const [path, reason] of [
    ["scriptLog", "Steward does not archive script logs on disk; failure e-mails attach the script log and events carry its head and tail"],
    ["qlikSenseCloud", "Qlik Cloud is not supported"],
  ] as const) {
    if (!c.t.has(B(path))) continue;
    if (anyEnabled(c.t.get(B(path)))) c.t.unmapped(B(path), reason);
    else c.t.off(B(path));
  }
}

/** Is any `enable: true` inside this subtree? */
export function anyEnabled(v: unknown): boolean {
  if (v === null || typeof v !== "object") return false;
  return Object.entries(v as Obj).some(([k, x]) => (k === "enable" && x === true) || anyEnabled(x));
}
