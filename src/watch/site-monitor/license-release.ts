// Releases professional and analyzer allocations of users who have not used them for more than inactiveDays,
// except the users the config protects. A dry run lists the candidates without releasing. At most maxPerRun
// releases per run; each real release gets an audit row and a qlik_sense_license_release point.
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { LicenseReleaseConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import { listStaleAllocations, releaseAllocation, type AccessKind, type QrsAllocation } from "../../platform/qlik/qrs-license";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { QrsUser } from "../../platform/qlik/qrs-schemas";
import { licenseReleasePoint } from "./influx-points";
import type { PointSink } from "./point-sink";
import { siteEvent, type SiteEvent } from "../../platform/events/site-event";

const DAY = 86_400_000;
/** QRS's "never" date: an allocation never used counts from its creation instead. */
const NEVER_YEAR = 1753;

export interface ReleaseItem {
  accessType: AccessKind;
  allocationId: string;
  user: string;
  daysSinceLastUse: number;
  lastUsed: string | null;
  result: "released" | "would release" | "kept" | "deferred" | "failed";
  reason?: string;
}

export interface ReleaseRun {
  at: string;
  dryRun: boolean;
  released: number;
  wouldRelease: number;
  kept: number;
  failed: number;
  /** Releasable candidates beyond maxPerRun, left for the next run (listed with result "deferred"). */
  deferred: number;
  items: ReleaseItem[];
}

export interface LicenseReleaseDeps {
  qrs: QrsClient;
  host: string;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  emit(e: SiteEvent): Promise<void>;
  sink?: PointSink;
}

function lastActivityMs(a: QrsAllocation): number | undefined {
  const used = a.lastUsed ? Date.parse(a.lastUsed) : NaN;
  if (!Number.isNaN(used) && new Date(used).getUTCFullYear() > NEVER_YEAR) return used;
  const created = Date.parse(String((a as { createdDate?: unknown }).createdDate ?? ""));
  return Number.isNaN(created) ? undefined : created;
}

/** Why a user keeps the allocation, or undefined when it may be released. */
export function keepReason(cfg: LicenseReleaseConfig["neverRelease"], user: QrsUser): string | undefined {
  const id = `${user.userDirectory}\\${user.userId}`.toLowerCase();
  if (cfg.users.some((u) => u.toLowerCase() === id)) return "listed in neverRelease.users";
  if (cfg.userDirectories.some((d) => d.toLowerCase() === user.userDirectory.toLowerCase()))
    return `user directory ${user.userDirectory} is in neverRelease.userDirectories`;
  const tags = (user.tags ?? []).map((t) => t.name.toLowerCase());
  const tag = cfg.tags.find((t) => tags.includes(t.toLowerCase()));
  if (tag) return `user has tag ${tag}`;
  const cp = cfg.customProperties.find((c) =>
    (user.customProperties ?? []).some((v) => v.definition.name.toLowerCase() === c.name.toLowerCase() && v.value.toLowerCase() === c.value.toLowerCase()),
  );
  if (cp) return `user has custom property ${cp.name}=${cp.value}`;
  for (const [flag, value] of [
    ["inactive", user.inactive],
    ["blocked", user.blacklisted],
    ["removedExternally", user.removedExternally],
  ] as const) {
    const rule = cfg[flag];
    if (rule === "yes" && value === true) return `user is ${flag} (neverRelease.${flag}: yes)`;
    if (rule === "no" && value !== true) return `user is not ${flag} (neverRelease.${flag}: no)`;
  }
  return undefined;
}

export function createLicenseRelease(cfg: LicenseReleaseConfig, deps: LicenseReleaseDeps) {
  let last: ReleaseRun | undefined;

  async function run(opts: { dryRun?: boolean } = {}): Promise<ReleaseRun> {
    const dryRun = opts.dryRun ?? cfg.dryRun;
    const now = deps.clock.now();
    const daysFor = (kind: AccessKind) => cfg.inactiveDaysByType[kind] ?? cfg.inactiveDays;
    const out: ReleaseRun = { at: new Date(now).toISOString(), dryRun, released: 0, wouldRelease: 0, kept: 0, failed: 0, deferred: 0, items: [] };
    // Every stale allocation is listed; the longest unused are released first, up to maxPerRun.
    const candidates: Array<{ kind: AccessKind; a: QrsAllocation; days: number }> = [];
    for (const kind of cfg.accessTypes) {
      const limitMs = now - daysFor(kind) * DAY;
      for (const a of await listStaleAllocations(deps.qrs, kind, new Date(limitMs).toISOString())) {
        const activity = lastActivityMs(a);
        if (activity === undefined || activity > limitMs) continue;
        candidates.push({ kind, a, days: Math.floor((now - activity) / DAY) });
      }
    }
    candidates.sort((x, y) => y.days - x.days);
    const users = new Map<string, QrsUser>();
    for (const { kind, a, days } of candidates) {
      const name = `${a.user.userDirectory}\\${a.user.userId}`;
      const item: ReleaseItem = { accessType: kind, allocationId: a.id, user: name, daysSinceLastUse: days, lastUsed: a.lastUsed ?? null, result: "kept" };
      out.items.push(item);
      let user = users.get(a.user.id);
      if (!user) users.set(a.user.id, (user = await deps.qrs.getUser(a.user.id)));
      const reason = keepReason(cfg.neverRelease, user);
      if (reason) {
        item.reason = reason;
        out.kept++;
        continue;
      }
      if (out.released + out.wouldRelease + out.failed >= cfg.maxPerRun) {
        item.result = "deferred";
        item.reason = `over licenseRelease.maxPerRun (${cfg.maxPerRun}); released in a later run`;
        out.deferred++;
        continue;
      }
      if (dryRun) {
        item.result = "would release";
        out.wouldRelease++;
        continue;
      }
      try {
        await releaseAllocation(deps.qrs, kind, a.id);
        item.result = "released";
        out.released++;
        deps.audit.record({
          actor: { kind: "system", name: "license-release" },
          action: "license.release",
          target: name,
          result: "ok",
          details: { accessType: kind, allocationId: a.id, daysSinceLastUse: days },
        });
        if (deps.sink)
          await deps.sink
            .write([licenseReleasePoint(kind, name, days, deps.sink.tagsFor("qlik_sense_license_release"), now)])
            .catch((err) => deps.log.warn({ err: describeError(err) }, "license release point not written to InfluxDB"));
      } catch (err) {
        item.result = "failed";
        item.reason = describeError(err);
        out.failed++;
        deps.audit.record({
          actor: { kind: "system", name: "license-release" },
          action: "license.release",
          target: name,
          result: "failed",
          details: { accessType: kind, allocationId: a.id, error: item.reason },
        });
      }
    }
    last = out;
    deps.log.info(
      { dryRun, released: out.released, wouldRelease: out.wouldRelease, kept: out.kept, failed: out.failed, deferred: out.deferred },
      "license release run",
    );
    if (out.released > 0) {
      const list = out.items.filter((i) => i.result === "released").map((i) => `${i.user} (${i.accessType}, ${i.daysSinceLastUse} days)`);
      await deps.emit(
        siteEvent(
          "license.released",
          out.at,
          deps.host,
          now,
          {
            title: `Released ${out.released} Qlik Sense license allocation${out.released === 1 ? "" : "s"}`,
            summary: `Released after more than ${cfg.accessTypes.map((k) => `${daysFor(k)} days (${k})`).join(" / ")} without use: ${list.join(", ")}.`,
          },
          { released: out.released, failed: out.failed, deferred: out.deferred, inactiveDays: cfg.accessTypes.map((k) => `${k} ${daysFor(k)}`).join(", ") },
        ),
      );
    }
    return out;
  }

  return { run, last: () => last };
}

export type LicenseRelease = ReturnType<typeof createLicenseRelease>;
