// Butler → Steward for the REST server: listener, TLS, the per-endpoint switches (which become API-key scopes,
// since Steward serves its routes whatever Butler's switch said) and the file allow-lists behind the file routes.
import { isLoopbackHost } from "../../security/policy";
import { B, bool, isPlaceholder, list, put, str, num, type Ctx, type Obj } from "./context";

/** Butler's REST server is configured and switched off: none of its routes, allow-lists or endpoint flags did anything. */
export const restOff = (c: Ctx) => c.t.has(B("restServerConfig")) && !bool(c, "restServerConfig.enable");

export function mapRest(c: Ctx): void {
  if (!c.t.has(B("restServerConfig"))) return;
  const on = bool(c, "restServerConfig.enable");
  c.t.mapped(B("restServerConfig.enable"));
  if (!on) {
    put(c, "http.enabled", false);
    // The endpoint flags, their settings and the file allow-lists only ever acted through the REST server.
    for (const k of [
      "restServerConfig",
      "restServerEndpointsEnable",
      "restServerEndpointsConfig",
      "fileCopyApprovedDirectories",
      "fileMoveApprovedDirectories",
      "fileDeleteApprovedDirectories",
      "configDirectories",
      "slackNotification.restMessage",
    ]) {
      if (c.t.has(B(k))) c.t.off(B(k));
    }
    return;
  }
  const host = str(c, "restServerConfig.serverHost") ?? "127.0.0.1";
  put(c, "http.host", host);
  put(c, "http.port", num(c, "restServerConfig.serverPort") ?? 8080);
  c.t.mapped(B("restServerConfig.serverHost"));
  c.t.mapped(B("restServerConfig.serverPort"));
  c.t.unmapped(B("restServerConfig.backgroundServerPort"), "Steward has one listener; there is no plain-HTTP background port to bypass TLS through");
  if (bool(c, "restServerConfig.tls.enable")) {
    put(c, "security.tls", { certFile: str(c, "restServerConfig.tls.cert"), keyFile: str(c, "restServerConfig.tls.key") });
    c.t.mapped(B("restServerConfig.tls"));
    if (str(c, "restServerConfig.tls.ca")) {
      c.t.unmapped(
        B("restServerConfig.tls.ca"),
        "append the CA chain to the certificate file; security.tls.caFile is the CA for client certificates (mutual TLS)",
      );
    }
  } else c.t.off(B("restServerConfig.tls"));
  if (!isLoopbackHost(host)) {
    put(c, "security.allowUnauthenticated", true);
    c.review.push(
      `SECURITY: Butler's REST API had no authentication and listened on ${host}. To keep load scripts working this config sets ` +
        "security.allowUnauthenticated: true (Steward warns at every start). Create keys with `steward apikey create --name … --scopes …`, " +
        "give them to the callers, add them under security.apiKeys, then remove allowUnauthenticated. Load scripts on the Qlik nodes keep " +
        "calling without a key (security.anonymous: tasks, apps, key-value store, files, MQTT from qlik-nodes); callers elsewhere need one.",
    );
  }
  mapEndpointFlags(c);
}

/** Routes Steward serves whatever Butler's flag said; the flag's meaning moves to API-key scopes. */
const SCOPED_ROUTES: Record<string, string> = {
  senseAppReload: "apps",
  senseAppDump: "apps",
  senseListApps: "apps",
  senseStartTask: "tasks",
  mqttPublishMessage: "mqtt",
  slackPostMessage: "mqtt",
  "scheduler.createNewSchedule": "schedules",
  "scheduler.getSchedule": "schedules",
  "scheduler.getScheduleStatusAll": "schedules",
  "scheduler.updateSchedule": "schedules",
  "scheduler.deleteSchedule": "schedules",
  "scheduler.startSchedule": "schedules",
  "scheduler.stopSchedule": "schedules",
};

/** The load-script scopes (security.anonymous's default) and the Butler switches whose routes each opens. */
const KEYLESS_SCOPE_FLAGS: Array<[scope: string, flags: string[]]> = [
  ["tasks", ["senseStartTask"]],
  ["apps", ["senseAppReload", "senseAppDump", "senseListApps"]],
  ["kv.read", ["keyValueStore"]],
  ["kv.write", ["keyValueStore"]],
  ["files", ["fileCopy", "fileMove", "fileDelete", "createDir", "createDirQVD"]],
  ["mqtt", ["mqttPublishMessage", "slackPostMessage"]],
];

/**
 * What load scripts on the Qlik nodes keep without a key once the site has one (security.anonymous): the default
 * load-script scopes, less those whose every Butler switch was off (Butler never served them to anyone).
 */
function mapKeylessGrant(c: Ctx): void {
  const base = "restServerEndpointsEnable";
  const closed = (flags: string[]) => flags.every((f) => c.t.has(B(`${base}.${f}`)) && !bool(c, `${base}.${f}`));
  const kept = KEYLESS_SCOPE_FLAGS.filter(([, flags]) => !closed(flags)).map(([scope]) => scope);
  if (kept.length === KEYLESS_SCOPE_FLAGS.length) return;
  put(c, "security.anonymous.scopes", kept);
  c.review.push(
    `After the first API key, callers without one (load scripts on the Qlik nodes) keep ${kept.length ? kept.join(", ") : "nothing but the public routes"}: ` +
      "security.anonymous.scopes leaves out the routes Butler had switched off.",
  );
}

function mapEndpointFlags(c: Ctx): void {
  const base = "restServerEndpointsEnable";
  mapKeylessGrant(c);
  // apiListEnbledEndpoints: the spelling of Butler's templates before 16. Public, read-only routes Steward serves
  // whatever the flag says; a flag that was off is named.
  for (const k of ["apiListEnabledEndpoints", "apiListEnbledEndpoints", "butlerping"]) {
    if (!c.t.has(B(`${base}.${k}`))) continue;
    if (bool(c, `${base}.${k}`)) c.t.mapped(B(`${base}.${k}`));
    else
      c.t.unmapped(
        B(`${base}.${k}`),
        "Steward always serves this read-only route (GET /v4/butlerping, GET /v4/configfile/endpointsenabled); it reveals nothing beyond the version and the route list",
      );
  }
  // The id conversion routes need no key, so their switches carry over as they were (http.baseConvert).
  for (const k of ["base62ToBase16", "base16ToBase62"]) {
    if (!c.t.has(B(`${base}.${k}`))) continue;
    c.t.mapped(B(`${base}.${k}`));
    if (!bool(c, `${base}.${k}`)) put(c, `http.baseConvert.${k}`, false);
  }
  // The New Relic routes and their settings become newRelic.api (map-incident.ts).
  if (c.t.has(B(`${base}.newRelic`))) c.t.mapped(B(`${base}.newRelic`));
  const closed: string[] = [];
  for (const [flag, scope] of Object.entries(SCOPED_ROUTES)) {
    if (!c.t.has(B(`${base}.${flag}`))) continue;
    if (bool(c, `${base}.${flag}`)) c.t.mapped(B(`${base}.${flag}`));
    else {
      c.t.unmapped(B(`${base}.${flag}`), `Steward always serves this route; keep callers out with API-key scopes (it needs scope "${scope}")`);
      closed.push(flag);
    }
  }
  if (closed.length)
    c.review.push(`Routes that were switched off in Butler (${closed.join(", ")}) exist in Steward; only API keys without their scope keep callers out.`);
}

export function mapFiles(c: Ctx): void {
  if (restOff(c)) return;
  const flags = "restServerEndpointsEnable";
  const files: Obj = {};
  const pairs = (path: string, flag: string, key: string) => {
    if (!c.t.has(B(path))) return;
    if (!bool(c, `${flags}.${flag}`)) {
      c.t.off(B(path));
      if (c.t.has(B(`${flags}.${flag}`))) c.t.mapped(B(`${flags}.${flag}`));
      return;
    }
    c.t.mapped(B(path));
    c.t.mapped(B(`${flags}.${flag}`));
    files[key] = list(c, path).map((p) => ({ from: (p as Obj).fromDirectory, to: (p as Obj).toDirectory }));
  };
  pairs("fileCopyApprovedDirectories", "fileCopy", "copy");
  pairs("fileMoveApprovedDirectories", "fileMove", "move");
  if (c.t.has(B("fileDeleteApprovedDirectories"))) {
    if (bool(c, `${flags}.fileDelete`)) {
      files.delete = list(c, "fileDeleteApprovedDirectories");
      c.t.mapped(B("fileDeleteApprovedDirectories"));
    } else c.t.off(B("fileDeleteApprovedDirectories"));
    c.t.mapped(B(`${flags}.fileDelete`));
  }
  const qvd = str(c, "configDirectories.qvdPath");
  const qvdRoot = qvd && !isPlaceholder(qvd) ? qvd : undefined;
  if (bool(c, `${flags}.createDir`)) {
    // The QVD root is where Butler's config says load scripts make folders: listed, so createdir keeps working there.
    files.createDir = qvdRoot ? [qvdRoot] : [];
    if (qvdRoot) c.t.mapped(B("configDirectories.qvdPath"));
    c.actions.push(createDirAction(files, qvdRoot));
  }
  if (c.t.has(B(`${flags}.createDir`))) c.t.mapped(B(`${flags}.createDir`));
  if (bool(c, `${flags}.createDirQVD`) && qvdRoot) {
    files.qvdRoot = qvdRoot;
    c.t.mapped(B("configDirectories.qvdPath"));
  } else if (c.t.has(B("configDirectories")) && !(bool(c, `${flags}.createDir`) && qvdRoot)) c.t.off(B("configDirectories"));
  if (c.t.has(B(`${flags}.createDirQVD`))) c.t.mapped(B(`${flags}.createDirQVD`));
  const all = [
    ...((files.copy as Obj[] | undefined) ?? []).flatMap((p) => [p.from, p.to]),
    ...((files.move as Obj[] | undefined) ?? []).flatMap((p) => [p.from, p.to]),
    ...((files.delete as unknown[]) ?? []),
    ...((files.createDir as unknown[]) ?? []),
    files.qvdRoot,
  ];
  // \\server\share or //server/share: Windows reads both as a UNC path.
  const unc = all.filter((p): p is string => typeof p === "string" && /^[\\/]{2}[^\\/]/.test(p));
  if (unc.length) {
    files.allowUnc = true;
    c.review.push(
      `Files: UNC folders (${unc.join(", ")}) need files.allowUnc, which this config sets; the Steward service account needs access to the shares.`,
    );
  }
  if ((files.delete as unknown[] | undefined)?.length) {
    // Butler deleted a folder with everything in it when a load script named one; Steward deletes files only
    // unless told otherwise.
    files.allowDirectoryDelete = false;
    c.actions.push(
      "DELETE /v4/filedelete: Butler deleted a FOLDER with everything in it when a load script named one below the delete folders; this config sets files.allowDirectoryDelete: false, so Steward deletes only files there (a folder answers 403). Set it to true if your load scripts delete folders.",
    );
  }
  if (Object.keys(files).length) put(c, "files", files);
}

/**
 * Butler's POST /v4/createdir had no allow-list; Steward's files.createDir starts empty, so every createdir call a
 * load script makes fails until the admin lists the folders. The folders the config shows load scripts writing to
 * are the likely ones.
 */
function createDirAction(files: Obj, qvd: string | undefined): string {
  const pairs = [...((files.copy as Obj[] | undefined) ?? []), ...((files.move as Obj[] | undefined) ?? [])];
  const seen = new Set<string>(qvd ? [qvd.toLowerCase()] : []);
  const candidates: string[] = [];
  for (const dir of pairs.map((p) => p.to)) {
    if (typeof dir !== "string" || dir.trim() === "" || seen.has(dir.toLowerCase())) continue;
    seen.add(dir.toLowerCase());
    candidates.push(dir);
  }
  const listed = qvd
    ? `which this config sets to the QVD root (${qvd}) only, so a createdir call from a load script for a folder elsewhere is refused (403) until you list its parent folder there.`
    : "which this config leaves EMPTY, so every createdir call from a load script is refused (403) until you list the parent folders there.";
  const base = `POST /v4/createdir: Butler created folders ANYWHERE on disk; Steward creates them only below the folders listed in files.createDir, ${listed}`;
  return candidates.length
    ? `${base} Other folders this Butler config shows load scripts using (copy/move targets): ${candidates.join(", ")}.`
    : `${base} This Butler config names no other folders to suggest: list the folders your load scripts create directories in.`;
}
