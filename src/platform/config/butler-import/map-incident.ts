// Butler's incident tools → Steward channels: SIGNL4 (incidentTool.signl4) and New Relic (incidentTool.newRelic with
// the accounts of thirdPartyToolsCredentials.newRelic), plus the settings of Butler's /v4/newrelic routes.
import { B, bool, list, num, serviceDestination, str, type Ctx, type Obj } from "./context";
import { butlerRepeats } from "./alert-sink";
import { restOff } from "./map-rest";
import { secondsToDuration } from "./units";

type Sink = { add(base: string, cfg: Obj): string; routes: Obj[] };

const route = (name: string, on: string[], to: string[], extra: Obj = {}): Obj => ({ name, on, to, ...extra, ...butlerRepeats(on) });

function nameValues(c: Ctx, path: string): Obj {
  const out: Obj = {};
  for (const item of list(c, path)) {
    const nv = item as Obj;
    if (typeof nv.name === "string" && nv.name) out[nv.name] = nv.value === undefined || nv.value === null ? "" : nv.value;
  }
  if (c.t.has(B(path))) c.t.mapped(B(path));
  return out;
}

const strings = (c: Ctx, path: string) => list(c, path).filter((v): v is string => typeof v === "string" && v !== "");

export function mapSignl4(c: Ctx, a: Sink): void {
  const p = "incidentTool.signl4";
  if (!c.t.has(B(p))) return;
  if (!bool(c, `${p}.enable`) || !str(c, `${p}.url`)) {
    c.t.off(B(p));
    return;
  }
  c.t.mapped(B(p));
  const blocks = [
    { key: "reloadTaskFailure", kind: "task.failed", sev: "failed" },
    { key: "reloadTaskAborted", kind: "task.aborted", sev: "aborted" },
  ] as const;
  const on = blocks.filter((b) => bool(c, `${p}.${b.key}.enable`));
  for (const b of blocks) if (!on.includes(b)) c.t.off(B(`${p}.${b.key}`));
  if (on.length === 0) return;
  // One channel per distinct service name; severities per kind live in the channel.
  const byService = new Map<string, Obj>();
  for (const b of on) {
    const bp = `${p}.${b.key}`;
    const service = str(c, `${bp}.serviceName`) ?? "Qlik Sense";
    const ch = byService.get(service) ?? { type: "signl4", url: str(c, `${p}.url`), serviceName: service, severity: {} };
    const sev = num(c, `${bp}.severity`);
    if (sev !== undefined) (ch.severity as Obj)[b.sev] = Math.min(99, sev);
    byService.set(service, ch);
    for (const k of ["enable", "serviceName", "severity"]) if (c.t.has(B(`${bp}.${k}`))) c.t.mapped(B(`${bp}.${k}`));
    if (c.t.has(B(`${bp}.includeApp`)))
      c.t.unmapped(B(`${bp}.includeApp`), "Butler never applied it (config only); filter with the route's appIds if you need it");
  }
  for (const b of on) {
    const bp = `${p}.${b.key}`;
    const name = a.add("signl4", byService.get(str(c, `${bp}.serviceName`) ?? "Qlik Sense")!);
    const rateLimit = secondsToDuration(num(c, `${bp}.rateLimit`));
    if (c.t.has(B(`${bp}.rateLimit`))) c.t.mapped(B(`${bp}.rateLimit`));
    a.routes.push(route(`signl4-${b.sev}`, [b.kind], [name], { taskTypes: ["reload"], ...(rateLimit ? { rateLimit } : {}) }));
    // Butler never resolved its incidents; Steward resolves the incident it opened on the task's next success.
    a.routes.push(route(`signl4-resolve-${b.sev}`, ["task.succeeded"], [name], { taskTypes: ["reload"] }));
  }
  c.review.push(
    "SIGNL4: incidents are now resolved when the task later succeeds (routes signl4-resolve-*); Butler left them open. Remove those routes to keep Butler's behaviour. The SIGNL4 webhook URL holds the team secret: put it in ${env:…}.",
  );
}

/** newRelic: accounts from thirdPartyToolsCredentials, URLs from incidentTool and the REST route settings. */
export function mapNewRelicAccounts(c: Ctx): void {
  const creds = list(c, "thirdPartyToolsCredentials.newRelic")
    .map((x) => x as Obj)
    .filter((x) => typeof x.accountName === "string" && x.accountName && x.insertApiKey && x.accountId !== undefined && String(x.accountId).match(/^\d+$/));
  if (c.t.has(B("thirdPartyToolsCredentials"))) {
    if (creds.length) c.t.mapped(B("thirdPartyToolsCredentials"));
    else c.t.off(B("thirdPartyToolsCredentials"));
  }
  const restOn = (k: string) => !restOff(c) && bool(c, `restServerEndpointsEnable.newRelic.${k}`);
  for (const k of ["postNewRelicMetric", "postNewRelicEvent"]) {
    const rp = `restServerEndpointsConfig.newRelic.${k}`;
    if (c.t.has(B(rp)) && !restOn(k) && !restOff(c)) c.t.off(B(rp));
  }
  if (!restOn("postNewRelicMetric") && !restOn("postNewRelicEvent") && !bool(c, "incidentTool.newRelic.enable")) return;
  if (!creds.length) {
    c.actions.push(
      "New Relic: Butler sent to New Relic but its config names no accounts (thirdPartyToolsCredentials.newRelic, or --new-relic-* on its command line): add them under thirdPartyToolsCredentials.newRelic in the Butler file and convert again.",
    );
    // Nothing of New Relic can be written without an account (newRelic.accounts); the report says so, key by key.
    const why = "Butler's config names no New Relic account (thirdPartyToolsCredentials.newRelic), so newRelic: cannot be written";
    for (const k of ["postNewRelicMetric", "postNewRelicEvent"]) if (restOn(k)) c.t.unmapped(B(`restServerEndpointsConfig.newRelic.${k}`), why);
    if (bool(c, "incidentTool.newRelic.enable")) c.t.unmapped(B("incidentTool.newRelic"), why);
    return;
  }
  const nr: Obj = { accounts: creds.map((x) => ({ name: x.accountName, accountId: String(x.accountId), insertApiKey: x.insertApiKey })) };
  const eventUrl = str(c, "incidentTool.newRelic.url.event") ?? str(c, "restServerEndpointsConfig.newRelic.postNewRelicEvent.url");
  if (eventUrl) nr.eventUrl = eventUrl.replace(/\/+$/, "");
  const logUrl = str(c, "incidentTool.newRelic.url.log");
  if (logUrl) nr.logUrl = logUrl;
  const metricUrl = str(c, "restServerEndpointsConfig.newRelic.postNewRelicMetric.url");
  if (metricUrl) nr.metricUrl = metricUrl;
  for (const k of ["incidentTool.newRelic.url.event", "incidentTool.newRelic.url.log"]) if (c.t.has(B(k))) c.t.mapped(B(k));
  const restEvent = str(c, "restServerEndpointsConfig.newRelic.postNewRelicEvent.url");
  if (restEvent && eventUrl && restEvent.replace(/\/+$/, "") !== eventUrl.replace(/\/+$/, "")) {
    c.review.push(
      `New Relic: Butler used two Event API URLs (${eventUrl} for alerts, ${restEvent} for POST /v4/newrelic/event); Steward uses newRelic.eventUrl for both.`,
    );
  }
  const api: Obj = {};
  for (const [k, to] of [
    ["postNewRelicMetric", "metric"],
    ["postNewRelicEvent", "event"],
  ] as const) {
    const rp = `restServerEndpointsConfig.newRelic.${k}`;
    if (!c.t.has(B(rp))) continue;
    if (!restOn(k)) continue;
    c.t.mapped(B(rp));
    const accounts = strings(c, `${rp}.destinationAccount`);
    c.t.mapped(B(`${rp}.url`));
    if (c.t.has(B(`${rp}.destinationAccount`))) c.t.mapped(B(`${rp}.destinationAccount`));
    // Without an account the block is kept (headers, attributes) and the route answers 503 until one is named.
    if (!accounts.length)
      c.actions.push(`New Relic: Butler's ${k} route has no destinationAccount; Steward answers it 503 until newRelic.api.${to}.accounts names one.`);
    api[to] = { accounts, headers: nameValues(c, `${rp}.header`), attributes: nameValues(c, `${rp}.attribute.static`) };
  }
  if (Object.keys(api).length) nr.api = api;
  c.out.newRelic = nr;
}

/** incidentTool.newRelic's reload failure/abort and service blocks → newrelic channels (event and log separately). */
export function mapNewRelicChannels(c: Ctx, a: Sink): void {
  const p = "incidentTool.newRelic";
  const services = serviceDestination(c, "newRelic");
  if (!c.t.has(B(p))) return;
  if (!bool(c, `${p}.enable`) || !c.out.newRelic) {
    if (!bool(c, `${p}.enable`)) c.t.off(B(p));
    if (services) c.t.unmapped(B("serviceMonitor.alertDestination.newRelic"), "incidentTool.newRelic is off or has no accounts in Butler, so nothing was sent");
    return;
  }
  c.t.mapped(B(p));
  if (c.t.has(B(`${p}.destinationAccount`))) c.t.unmapped(B(`${p}.destinationAccount`), "Butler never read it; each block's sendToAccount decides");
  const known = new Set(((c.out.newRelic as Obj).accounts as Obj[]).map((x) => x.name as string));
  const checkAccounts = (names: string[], where: string) => {
    const missing = names.filter((n) => !known.has(n));
    if (missing.length)
      c.actions.push(
        `New Relic: ${where} names accounts that thirdPartyToolsCredentials does not define (${missing.join(", ")}); add them to newRelic.accounts or the channel's accounts.`,
      );
    return names.filter((n) => known.has(n));
  };
  for (const [key, kind] of [
    ["reloadTaskFailure", "task.failed"],
    ["reloadTaskAborted", "task.aborted"],
  ] as const) {
    const bp = `${p}.${key}`;
    if (!c.t.has(B(bp))) continue;
    const shared = nameValues(c, `${bp}.sharedSettings.attribute.static`);
    const headers = nameValues(c, `${bp}.sharedSettings.header`);
    const rateLimit = secondsToDuration(num(c, `${bp}.sharedSettings.rateLimit`));
    if (c.t.has(B(`${bp}.sharedSettings.rateLimit`))) c.t.mapped(B(`${bp}.sharedSettings.rateLimit`));
    const names: string[] = [];
    for (const dest of ["event", "log"] as const) {
      const dp = `${bp}.destination.${dest}`;
      if (!bool(c, `${dp}.enable`)) {
        if (c.t.has(B(dp))) c.t.off(B(dp));
        continue;
      }
      c.t.mapped(B(`${dp}.enable`));
      const always = bool(c, `${dp}.sendToAccount.always.enable`)
        ? checkAccounts(strings(c, `${dp}.sendToAccount.always.account`), `${dp}.sendToAccount.always`)
        : [];
      if (c.t.has(B(`${dp}.sendToAccount.always`))) c.t.mapped(B(`${dp}.sendToAccount.always`));
      const byCp = bool(c, `${dp}.sendToAccount.byCustomProperty.enable`) ? str(c, `${dp}.sendToAccount.byCustomProperty.customPropertyName`) : undefined;
      if (c.t.has(B(`${dp}.sendToAccount.byCustomProperty`))) {
        if (byCp) c.t.mapped(B(`${dp}.sendToAccount.byCustomProperty`));
        else c.t.off(B(`${dp}.sendToAccount.byCustomProperty`));
      }
      const idle = !always.length && !byCp;
      const channel = `newrelic-${kind === "task.failed" ? "failed" : "aborted"}-${dest}`;
      if (idle)
        c.actions.push(
          `New Relic: ${dp} sends to no account (neither sendToAccount.always nor byCustomProperty); the channel ${channel} keeps Butler's headers and attributes but is disabled until it names an account and enabled: true.`,
        );
      const cfg: Obj = {
        type: "newrelic",
        ...(idle ? { enabled: false } : {}),
        accounts: always,
        ...(byCp ? { accountsFromCustomProperty: byCp } : {}),
        event: dest === "event",
        log: dest === "log",
        headers,
        attributes: { ...shared, ...nameValues(c, `${dp}.attribute.static`) },
        taskTagsAsAttributes: bool(c, `${dp}.attribute.dynamic.useTaskTags`),
        appTagsAsAttributes: bool(c, `${dp}.attribute.dynamic.useAppTags`),
      };
      for (const k of ["useTaskTags", "useAppTags"]) if (c.t.has(B(`${dp}.attribute.dynamic.${k}`))) c.t.mapped(B(`${dp}.attribute.dynamic.${k}`));
      const tail = num(c, `${dp}.tailScriptLogLines`);
      if (dest === "log" && tail !== undefined) {
        cfg.logTailLines = Math.min(500, tail);
        c.t.mapped(B(`${dp}.tailScriptLogLines`));
      }
      names.push(a.add(channel, cfg));
    }
    if (names.length)
      a.routes.push(
        route(`newrelic-${kind === "task.failed" ? "failed" : "aborted"}`, [kind], names, { taskTypes: ["reload"], ...(rateLimit ? { rateLimit } : {}) }),
      );
  }
  mapNewRelicServices(c, a, services, checkAccounts);
}

function mapNewRelicServices(c: Ctx, a: Sink, services: boolean, checkAccounts: (n: string[], where: string) => string[]): void {
  const sp = "incidentTool.newRelic.serviceMonitor";
  if (!c.t.has(B(sp))) return;
  if (!services) {
    c.t.off(B(sp));
    return;
  }
  c.t.mapped(B(sp));
  const kinds = [
    ...(bool(c, `${sp}.monitorServiceState.stopped.enable`) ? ["service.stopped"] : []),
    ...(bool(c, `${sp}.monitorServiceState.running.enable`) ? ["service.started"] : []),
  ];
  if (c.t.has(B(`${sp}.monitorServiceState`))) c.t.mapped(B(`${sp}.monitorServiceState`));
  const shared = nameValues(c, `${sp}.sharedSettings.attribute.static`);
  const headers = nameValues(c, `${sp}.sharedSettings.header`);
  const rateLimit = secondsToDuration(num(c, `${sp}.sharedSettings.rateLimit`));
  if (c.t.has(B(`${sp}.sharedSettings.rateLimit`))) c.t.mapped(B(`${sp}.sharedSettings.rateLimit`));
  const names: string[] = [];
  for (const dest of ["event", "log"] as const) {
    const dp = `${sp}.destination.${dest}`;
    if (!bool(c, `${dp}.enable`)) {
      if (c.t.has(B(dp))) c.t.off(B(dp));
      continue;
    }
    c.t.mapped(B(`${dp}.enable`));
    const accounts = checkAccounts(strings(c, `${dp}.sendToAccount`), `${dp}.sendToAccount`);
    if (c.t.has(B(`${dp}.sendToAccount`))) c.t.mapped(B(`${dp}.sendToAccount`));
    if (c.t.has(B(`${dp}.attribute.dynamic`)))
      c.t.unmapped(
        B(`${dp}.attribute.dynamic`),
        "Steward always sends butler_serviceHost, butler_serviceName, butler_serviceDisplayName and butler_serviceStatus",
      );
    if (!accounts.length)
      c.actions.push(
        `New Relic: ${dp}.sendToAccount names no account; the channel newrelic-services-${dest} keeps Butler's headers and attributes but is disabled until it names one and enabled: true.`,
      );
    names.push(
      a.add(`newrelic-services-${dest}`, {
        type: "newrelic",
        ...(accounts.length ? {} : { enabled: false }),
        accounts,
        event: dest === "event",
        log: dest === "log",
        headers,
        attributes: { ...shared, ...nameValues(c, `${dp}.attribute.static`) },
      }),
    );
  }
  if (names.length && kinds.length) a.routes.push(route("newrelic-services", kinds, names, rateLimit ? { rateLimit } : {}));
}
