/** @jsxImportSource hono/jsx */
// GET /ui/license: the Qlik Sense license at a glance (expiry, allocations per access type as bars, tokens),
// the version, and the last license release run with the reason each candidate was kept or deferred.
import { ApiProblem, Badge, Empty, Time } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";
import type { AccessTypeOverview } from "../../../platform/qlik/qrs-license";
import type { LicenseSnapshot } from "../../../watch/site-monitor/license-monitor";
import type { ReleaseRun } from "../../../watch/site-monitor/license-release";

type Block = AccessTypeOverview["professionalAccess"];

/** What GET /v4/license answers (JSON of the monitors' last reading and run). */
interface LicenseView {
  monitor: LicenseSnapshot | null;
  release: ReleaseRun | null;
  enabled: { monitor: boolean; release: boolean };
}

interface VersionView {
  version: null | { version: string; releaseLabel?: string | null; productName?: string | null; at: string };
  enabled: boolean;
}

/** One horizontal bar: allocated of total, server-rendered SVG (no script, no external asset). */
function UsageBar(props: { label: string; b: Block }) {
  const { b } = props;
  const share = b.total > 0 ? Math.min(1, b.allocated / b.total) : 0;
  const tone = b.available === 0 ? "var(--fail)" : share >= 0.9 ? "var(--warn)" : "var(--ok)";
  return (
    <div class="usage">
      <div class="small">
        <strong>{props.label}</strong> · {b.allocated} of {b.total} allocated · {b.available} available{b.quarantined ? ` · ${b.quarantined} quarantined` : ""}
      </div>
      <svg
        width="100%"
        height="14"
        viewBox="0 0 100 14"
        preserveAspectRatio="none"
        role="img"
        aria-label={`${props.label}: ${b.allocated} of ${b.total} allocated`}
      >
        <rect x="0" y="0" width="100" height="14" rx="3" fill="var(--idle-bg)" />
        <rect x="0" y="0" width={(share * 100).toFixed(2)} height="14" rx="3" fill={tone} />
      </svg>
    </div>
  );
}

function expiryTone(s: { expired: boolean; daysUntilExpiry?: number }): "fail" | "warn" | "ok" {
  if (s.expired) return "fail";
  return s.daysUntilExpiry !== undefined && s.daysUntilExpiry <= 60 ? "warn" : "ok";
}

export const licensePage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const [lic, ver] = await Promise.all([api<LicenseView>(c, "/v4/license"), api<VersionView>(c, "/v4/qliksense/version")]);
  const m = lic.ok ? lic.data.monitor : null;
  const r = lic.ok ? lic.data.release : null;
  return c.html(
    <Layout title="License" nav={{ active: "license", inbox: inbox() !== undefined, clock: siteClock() }}>
      {!lic.ok ? <ApiProblem status={lic.status} error={lic.error} what="The license reading" /> : null}
      <div class="grid">
        <section class="card" id="license-usage">
          <h2>License</h2>
          {!m ? (
            <Empty>{lic.ok && !lic.data.enabled.monitor ? "License monitoring is off (licenseMonitor: in the config)." : "No reading yet."}</Empty>
          ) : (
            <div>
              <p>
                <Badge tone={expiryTone(m.server)}>
                  {m.server.expired ? "expired" : m.server.daysUntilExpiry !== undefined ? `${m.server.daysUntilExpiry} days left` : "valid"}
                </Badge>{" "}
                {m.server.expiryDate ? `valid to ${m.server.expiryDate}` : ""}
              </p>
              {m.access.professionalAccess.enabled ? <UsageBar label="Professional" b={m.access.professionalAccess} /> : null}
              {m.access.analyzerAccess.enabled ? <UsageBar label="Analyzer" b={m.access.analyzerAccess} /> : null}
              {m.access.totalTokens > 0 ? (
                <p class="small">
                  Tokens: {m.access.availableTokens} of {m.access.totalTokens} available
                </p>
              ) : null}
              <p class="small muted">
                Read <Time iso={m.at} />
              </p>
            </div>
          )}
        </section>
        <section class="card" id="qliksense-version">
          <h2>Qlik Sense version</h2>
          {ver.ok && ver.data.version ? (
            <div>
              <p>
                <strong>{ver.data.version.version}</strong> {ver.data.version.releaseLabel ? `(${ver.data.version.releaseLabel})` : ""}
              </p>
              <p class="small muted">
                Read <Time iso={ver.data.version.at} />
              </p>
            </div>
          ) : (
            <Empty>{ver.ok && !ver.data.enabled ? "Version monitoring is off (versionMonitor: in the config)." : "No reading yet."}</Empty>
          )}
        </section>
      </div>
      <section class="card tight" id="license-release">
        <h2>Last license release run</h2>
        {!r ? (
          <Empty>{lic.ok && !lic.data.enabled.release ? "License release is off (licenseRelease: in the config)." : "No run yet."}</Empty>
        ) : (
          <div>
            <p class="small" style="padding:0 16px">
              <Time iso={r.at} /> · {r.dryRun ? "dry run" : "released"} · {r.released} released · {r.wouldRelease} would be released · {r.kept} kept ·{" "}
              {r.deferred} deferred · {r.failed} failed
            </p>
            <table>
              <thead>
                <tr>
                  <th>User</th>
                  <th>Access</th>
                  <th>Days unused</th>
                  <th>Result</th>
                  <th>Why</th>
                </tr>
              </thead>
              <tbody>
                {r.items.map((i) => (
                  <tr>
                    <td>{i.user}</td>
                    <td>{i.accessType}</td>
                    <td>{i.daysSinceLastUse}</td>
                    <td>
                      <Badge tone={i.result === "released" ? "ok" : i.result === "failed" ? "fail" : i.result === "kept" ? "idle" : "warn"}>{i.result}</Badge>
                    </td>
                    <td class="small">{i.reason ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>,
  );
};
