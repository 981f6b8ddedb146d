// Butler's InfluxDB measurements for the site monitors: qlik_sense_server_license, qlik_sense_license (one
// point per enabled access type, tag license_type), qlik_sense_license_release and qlik_sense_version. Every
// number is a float, as Butler wrote it: InfluxDB refuses a field whose type differs from the one it stored.
import { Point } from "@influxdata/influxdb-client";
import type { AccessTypeOverview, ServerLicense } from "../../platform/qlik/qrs-license";
import type { SystemInfo } from "../../platform/qlik/system-info";

function withTags(measurement: string, tags: Record<string, string>): Point {
  const p = new Point(measurement);
  for (const [k, v] of Object.entries(tags)) if (v !== "") p.tag(k, v);
  return p;
}

export function serverLicensePoint(l: ServerLicense, tags: Record<string, string>, atMs: number): Point {
  const p = withTags("qlik_sense_server_license", tags).booleanField("license_expired", l.expired).timestamp(new Date(atMs));
  if (l.expiryDate) p.stringField("expiry_date", l.expiryDate);
  if (l.daysUntilExpiry !== undefined) p.floatField("days_until_expiry", l.daysUntilExpiry);
  return p;
}

export function accessTypePoints(o: AccessTypeOverview, tags: Record<string, string>, atMs: number): Point[] {
  const at = new Date(atMs);
  const point = (licenseType: string) => withTags("qlik_sense_license", { ...tags, license_type: licenseType }).timestamp(at);
  const out: Point[] = [];
  for (const [type, b] of [
    ["analyzer", o.analyzerAccess],
    ["professional", o.professionalAccess],
  ] as const) {
    if (!b.enabled) continue;
    out.push(
      point(type)
        .floatField("allocated", b.allocated)
        .floatField("available", b.available)
        .floatField("excess", b.excess)
        .floatField("quarantined", b.quarantined)
        .floatField("total", b.total)
        .floatField("used", b.used),
    );
  }
  const t = o.analyzerTimeAccess;
  if (t.enabled)
    out.push(
      point("analyzer_capacity")
        .floatField("allocated_minutes", t.allocatedMinutes)
        .floatField("unavailable_minutes", t.unavailableMinutes)
        .floatField("used_minutes", t.usedMinutes),
    );
  const lg = o.loginAccess;
  if (lg.enabled)
    out.push(
      point("token_login")
        .floatField("allocated_tokens", lg.allocatedTokens)
        .floatField("token_cost", lg.tokenCost)
        .floatField("unavailable_tokens", lg.unavailableTokens)
        .floatField("used_tokens", lg.usedTokens),
    );
  const u = o.userAccess;
  if (u.enabled)
    out.push(
      point("token_user")
        .floatField("allocated_tokens", u.allocatedTokens)
        .floatField("quarantined_tokens", u.quarantinedTokens)
        .floatField("token_cost", u.tokenCost)
        .floatField("used_tokens", u.usedTokens ?? u.userTokens ?? 0),
    );
  if (o.totalTokens > 0) out.push(point("tokens_available").floatField("available_tokens", o.availableTokens).floatField("total_tokens", o.totalTokens));
  return out;
}

export function licenseReleasePoint(kind: string, user: string, daysSinceLastUse: number, tags: Record<string, string>, atMs: number): Point {
  return withTags("qlik_sense_license_release", { ...tags, license_type: kind, user })
    .floatField("days_since_last_use", daysSinceLastUse)
    .timestamp(new Date(atMs));
}

export function versionPoint(v: SystemInfo, tags: Record<string, string>, atMs: number): Point {
  const p = withTags("qlik_sense_version", tags).stringField("version", v.version).timestamp(new Date(atMs));
  const str: Array<[string, string | null | undefined]> = [
    ["content_hash", v.contentHash],
    ["sense_id", v.senseId],
    ["deployment_type", v.deploymentType],
    ["release_label", v.releaseLabel],
    ["deprecated_product_version", v.deprecatedProductVersion],
    ["product_name", v.productName],
    ["copyright_year_range", v.copyrightYearRange],
  ];
  for (const [k, val] of str) if (val) p.stringField(k, val);
  return p;
}
