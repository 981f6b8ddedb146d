// Butler's qlikSenseLicense (server license, access-type usage, license release) and qlikSenseVersion →
// Steward's licenseMonitor, licenseRelease and versionMonitor, written to the converted InfluxDB channel.
import { B, bool, feature, list, num, str, type Ctx, type Obj } from "./context";
import { laterToDuration } from "./units";
import { addMeasurementTags } from "./map-influx";

const TRI: Record<string, "yes" | "no" | "ignore"> = { yes: "yes", no: "no", ignore: "ignore", true: "yes", false: "no" };

function interval(c: Ctx, path: string, fallback: string): string {
  const d = laterToDuration(c.t.get(B(path)));
  if (d) c.t.mapped(B(path));
  else if (c.t.has(B(path)))
    c.t.unmapped(B(path), `only \`every N seconds|minutes|hours\` converts; Steward uses ${fallback} unless its interval says otherwise`);
  return d ?? fallback;
}

/** InfluxDB destination of a monitor: the converted channel, or a note when Butler had InfluxDB off. */
function influx(c: Ctx, path: string, influxChannel: string | undefined, measurement: string): string | undefined {
  const dp = `${path}.destination.influxDb`;
  if (!c.t.has(B(dp))) return undefined;
  if (!bool(c, `${dp}.enable`) || !influxChannel) {
    c.t.off(B(dp));
    return undefined;
  }
  c.t.mapped(B(`${dp}.enable`));
  if (c.t.has(B(`${dp}.tag`))) c.t.mapped(B(`${dp}.tag`));
  // The monitor's own tags go on its measurement only (channels.<influx>.measurements.<measurement>.tags).
  addMeasurementTags(c, influxChannel, measurement, `${dp}.tag.static`);
  return influxChannel;
}

export function mapSiteMonitors(c: Ctx, influxChannel: string | undefined): void {
  const server = "qlikSenseLicense.serverLicenseMonitor";
  const usage = "qlikSenseLicense.licenseMonitor";
  const serverOn = feature(c, server);
  const usageOn = feature(c, usage);
  if (serverOn || usageOn) {
    const lm: Obj = {};
    // One Steward monitor reads both; the more frequent of Butler's two intervals is kept.
    const intervals = [serverOn ? interval(c, `${server}.frequency`, "6h") : undefined, usageOn ? interval(c, `${usage}.frequency`, "6h") : undefined].filter(
      Boolean,
    ) as string[];
    lm.interval = intervals.sort((x, y) => toMs(x) - toMs(y))[0];
    const ch =
      (serverOn ? influx(c, server, influxChannel, "qlik_sense_server_license") : undefined) ??
      (usageOn ? influx(c, usage, influxChannel, "qlik_sense_license") : undefined);
    if (serverOn && usageOn) influx(c, usage, influxChannel, "qlik_sense_license");
    if (ch) lm.influxChannel = ch;
    const days = num(c, `${server}.alert.thresholdDays`);
    if (serverOn && days !== undefined) {
      lm.alerts = { expiryDays: days };
      c.t.mapped(B(`${server}.alert`));
    }
    if (serverOn) {
      for (const dest of ["mqtt", "webhook"]) {
        const dp = `${server}.destination.${dest}`;
        if (!c.t.has(B(dp))) continue;
        if (!bool(c, `${dp}.enable`)) {
          c.t.off(B(dp));
          continue;
        }
        c.t.mapped(B(dp));
        if (bool(c, `${dp}.sendRecurring.enable`)) {
          c.t.unmapped(
            B(`${dp}.sendRecurring`),
            "Steward raises license.expiring / license.expired when a threshold is crossed; the status at every check is in InfluxDB and GET /v4/license",
          );
        }
      }
    }
    if (serverOn !== usageOn)
      c.review.push(
        `License monitoring: Butler read ${serverOn ? "only the server license" : "only the access-type usage"}; Steward's licenseMonitor reads both.`,
      );
    c.out.licenseMonitor = lm;
  }

  const rel = "qlikSenseLicense.licenseRelease";
  if (feature(c, rel)) {
    const r: Obj = { interval: interval(c, `${rel}.frequency`, "1d"), dryRun: bool(c, `${rel}.dryRun`) };
    c.t.mapped(B(`${rel}.dryRun`));
    const types: string[] = [];
    const byType: Obj = {};
    for (const t of ["professional", "analyzer"]) {
      const tp = `${rel}.licenseType.${t}`;
      if (!bool(c, `${tp}.enable`)) {
        if (c.t.has(B(tp))) c.t.off(B(tp));
        continue;
      }
      types.push(t);
      c.t.mapped(B(tp));
      const d = num(c, `${tp}.releaseThresholdDays`);
      if (d !== undefined) byType[t] = d;
    }
    if (types.length === 0) {
      c.t.off(B(rel));
      delete r.interval;
    } else {
      r.accessTypes = types;
      const all = Object.values(byType) as number[];
      if (all.length) r.inactiveDays = Math.max(...all);
      if (new Set(all).size > 1) r.inactiveDaysByType = byType;
      const nr = `${rel}.neverRelease`;
      if (c.t.has(B(nr))) {
        c.t.mapped(B(nr));
        const never: Obj = {};
        const users = list(c, `${nr}.user`)
          .map((u) => u as Obj)
          .filter((u) => u.userDir && u.userId)
          .map((u) => `${u.userDir}\\${u.userId}`);
        if (users.length) never.users = users;
        const dirs = list(c, `${nr}.userDirectory`).filter((x): x is string => typeof x === "string" && x !== "");
        if (dirs.length) never.userDirectories = dirs;
        const tags = list(c, `${nr}.tag`).filter((x): x is string => typeof x === "string" && x !== "");
        if (tags.length) never.tags = tags;
        const cps = list(c, `${nr}.customProperty`)
          .map((x) => x as Obj)
          .filter((x) => x.name)
          .map((x) => ({ name: String(x.name), value: String(x.value ?? "") }));
        if (cps.length) never.customProperties = cps;
        for (const k of ["inactive", "blocked", "removedExternally"]) {
          const v = str(c, `${nr}.${k}`)?.toLowerCase();
          if (v && TRI[v]) never[k] = TRI[v];
        }
        r.neverRelease = never;
      }
      const ch = influx(c, rel, influxChannel, "qlik_sense_license_release");
      if (ch) r.influxChannel = ch;
      if (!r.dryRun) {
        c.review.push(
          "License release: Butler released licenses for real (dryRun: false) and so will Steward, at most licenseRelease.maxPerRun (50) per run, the longest unused first; run POST /v4/license/release (a dry run) once to see what it would do.",
        );
      }
      c.out.licenseRelease = r;
    }
  }

  const ver = "qlikSenseVersion.versionMonitor";
  if (feature(c, ver)) {
    const v: Obj = { interval: interval(c, `${ver}.frequency`, "1h") };
    const host = str(c, `${ver}.host`);
    const qlikHost = (c.out.qlik as Obj | undefined)?.host;
    c.t.mapped(B(`${ver}.host`));
    if (host && qlikHost && host.toLowerCase() !== String(qlikHost).toLowerCase()) {
      c.review.push(`Version monitor: Butler read the version from ${host}; Steward reads it from qlik.host (${String(qlikHost)}) on port 9032.`);
    }
    if (c.t.has(B(`${ver}.rejectUnauthorized`))) {
      if (c.t.get(B(`${ver}.rejectUnauthorized`)) === false)
        c.t.unmapped(
          B(`${ver}.rejectUnauthorized`),
          "Steward verifies the server certificate with qlik.rejectUnauthorized (one setting for QRS, Engine and the version endpoint)",
        );
      else c.t.mapped(B(`${ver}.rejectUnauthorized`));
    }
    const ch = influx(c, ver, influxChannel, "qlik_sense_version");
    if (ch) v.influxChannel = ch;
    c.out.versionMonitor = v;
  }
}

function toMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d);
  if (!m) return Number.MAX_SAFE_INTEGER;
  return Number(m[1]) * ({ ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as Record<string, number>)[m[2]!]!;
}
