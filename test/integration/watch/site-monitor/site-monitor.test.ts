// Site monitors end to end: Steward reads license usage, the server license and the version from the
// simulator's QRS and /v1/systeminfo (client certificates), writes Butler's measurements to a real influxd,
// raises license.* and qliksense.version_changed events that a route delivers to a webhook, and releases
// allocations of inactive users (dry run first, then bounded by maxPerRun, with exclusions and audit rows).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startInfluxDb1, type TestService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { simCertDir } from "../../../helpers/sim-certs";

const DAY = 86_400_000;
const isoDaysAgo = (d: number) => new Date(Date.now() - d * DAY).toISOString();
const dateIn = (d: number) => new Date(Date.now() + d * DAY).toISOString().slice(0, 10);

const SITE = `
site: { name: License site, productVersion: "14.187.4", releaseLabel: "February 2025" }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_repository }
  - { userDirectory: CORP, userId: anna, name: Anna, access: professional, lastUsed: "${isoDaysAgo(2)}" }
  - { userDirectory: CORP, userId: erik, name: Erik, access: professional, lastUsed: "${isoDaysAgo(45)}" }
  - { userDirectory: CORP, userId: olle, name: Olle, access: professional, lastUsed: "${isoDaysAgo(60)}" }
  - { userDirectory: CORP, userId: joe, name: Joe, access: analyzer, tags: [KeepLicense], lastUsed: "${isoDaysAgo(90)}" }
  - { userDirectory: CORP, userId: maria, name: Maria, access: analyzer, lastUsed: "${isoDaysAgo(120)}" }
  - { userDirectory: CORP, userId: ops_admin, name: Ops, access: professional, lastUsed: "${isoDaysAgo(200)}" }
  - { userDirectory: CORP, userId: li, name: Li, access: professional, inactive: true, lastUsed: "${isoDaysAgo(300)}" }
tags: [KeepLicense]
license: { validTo: "${dateIn(400)}", professionalTokens: 8, analyzerTokens: 10 }
`;

type Series = { name: string; columns: string[]; values: unknown[][] };
async function influxQl(influx: TestService, q: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${influx.url}/query?${new URLSearchParams({ db: "qlik", q })}`);
  const body = (await res.json()) as { results: Array<{ series?: Series[]; error?: string }> };
  if (body.results[0]?.error) throw new Error(body.results[0].error);
  const s = body.results[0]?.series?.[0];
  return (s?.values ?? []).map((v) => Object.fromEntries(s!.columns.map((c, i) => [c, v[i]])));
}

describe("site monitors against the simulator and influxd", () => {
  let dir: TempDir;
  let sim: Simulator;
  let influx: TestService;
  let rx: HttpReceiver;
  let t: TestApp;
  let yaml = "";
  const control = (path: string, body: unknown) =>
    fetch(`${sim.urls.control}${path}`, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const hooks = (kind: string) => rx.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>).filter((b) => b.kind === kind);

  beforeAll(async () => {
    dir = createTempDir("steward-sitemon-");
    influx = await startInfluxDb1();
    rx = startHttpReceiver(200);
    sim = await startSimulator({
      site: SITE,
      certDir: simCertDir(join(dir.path, "certs")),
      qrsPort: 0,
      enginePort: 0,
      controlPort: 0,
      versionPort: 0,
      schedules: false,
    });
    yaml = `
qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, certDir: ${JSON.stringify(sim.certDir)}, timeoutMs: 3000, retries: 0 }
channels:
  influx: { type: influxdb, version: 1, url: "${influx.url}", database: qlik, tags: { site: test } }
  hook: { type: webhook, url: "${rx.url}/site" }
routes:
  - { name: site, on: [license.expiring, license.expired, license.low_availability, license.released, qliksense.version_changed], to: [hook] }
licenseMonitor: { interval: 1h, influxChannel: influx, alerts: { expiryDays: 30, professionalAvailableBelow: 2 } }
licenseRelease: { interval: 1d, inactiveDays: 30, maxPerRun: 2, influxChannel: influx, neverRelease: { users: ['CORP\\ops_admin'], tags: [KeepLicense], inactive: "yes" } }
versionMonitor: { interval: 1h, port: ${sim.ports.version}, influxChannel: influx }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`;
    t = createTestApp(yaml, { dir: join(dir.path, "steward") });
    await t.app.start();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    await influx?.stop();
    await rx?.stop();
    dir?.remove();
  });

  test("license usage and the server license are read and written as Butler's measurements", async () => {
    // The access-type rows and the token row are separate points: wait for all three kinds, not a count.
    const kinds = ["professional", "analyzer", "tokens_available"];
    await waitFor(
      async () => {
        const types = new Set((await influxQl(influx, "SELECT * FROM qlik_sense_license")).map((r) => r.license_type));
        return kinds.every((k) => types.has(k));
      },
      { what: "license points" },
    );
    const rows = await influxQl(influx, "SELECT * FROM qlik_sense_license");
    const pro = rows.find((r) => r.license_type === "professional")!;
    expect(pro).toMatchObject({ total: 8, allocated: 5, used: 5, available: 3, site: "test" });
    expect(rows.find((r) => r.license_type === "analyzer")).toMatchObject({ total: 10, allocated: 2, available: 8 });
    expect(rows.find((r) => r.license_type === "tokens_available")).toMatchObject({ total_tokens: 18 });
    const [server] = await influxQl(influx, "SELECT * FROM qlik_sense_server_license");
    expect(server).toMatchObject({ license_expired: false, expiry_date: dateIn(400) });
    expect(Number(server!.days_until_expiry)).toBeGreaterThanOrEqual(399);
    const r = await t.request("/v4/license");
    const body = (await r.json()) as { monitor: { server: { daysUntilExpiry: number }; access: { professionalAccess: { available: number } } } };
    expect(body.monitor.access.professionalAccess.available).toBe(3);
    expect(hooks("license.expiring")).toEqual([]);
  });

  test("the dashboard's license page shows usage as bars and the version", async () => {
    await waitFor(async () => ((await (await t.request("/v4/qliksense/version")).json()) as { version: unknown }).version !== null, {
      what: "first version reading",
    });
    const html = await (await t.request("/ui/license")).text();
    expect(html).toContain("5 of 8 allocated");
    expect(html).toContain('aria-label="Professional: 5 of 8 allocated"');
    expect(html).toContain("2 of 10 allocated");
    expect(html).toContain("14.187.4");
    expect(html).toContain("days left");
  });

  test("a license close to expiry raises license.expiring once, with Butler's webhook fields", async () => {
    await control("/license", { validTo: dateIn(10) });
    // The refresh reads after the change (a read already on its way is not its answer: see the last test); a read
    // that failed would answer the last reading, said here rather than by a webhook that never comes.
    const read = (await (await t.request("/v4/license?refresh=true")).json()) as { monitor: { server: { expiryDate: string } } };
    expect(read.monitor.server.expiryDate).toBe(dateIn(10));
    await waitFor(() => hooks("license.expiring").length === 1, { what: "license.expiring webhook", timeoutMs: 30_000 });
    const [h] = hooks("license.expiring");
    expect(h).toMatchObject({ event: "server license about to expire alert", licenseExpired: false, expiryDateStr: dateIn(10) });
    expect(h!.daysUntilExpiry).toBeGreaterThanOrEqual(9);
    await t.request("/v4/license?refresh=true");
    await Bun.sleep(200);
    expect(hooks("license.expiring")).toHaveLength(1);
  });

  test("an expired license raises license.expired with negative days (Butler reports them unsigned)", async () => {
    await control("/license", { validTo: dateIn(-3) });
    await t.request("/v4/license?refresh=true");
    await waitFor(() => hooks("license.expired").length === 1, { what: "license.expired webhook" });
    const [h] = hooks("license.expired");
    expect(h).toMatchObject({ event: "server license has expired alert", licenseExpired: true });
    expect(h!.daysUntilExpiry).toBeLessThan(0);
  });

  test("a dry run lists what would be released, with the reason each protected user keeps theirs", async () => {
    const r = await t.request("/v4/license/release", { method: "POST" });
    expect(r.status).toBe(200);
    const run = (await r.json()) as {
      dryRun: boolean;
      wouldRelease: number;
      released: number;
      items: Array<{ user: string; result: string; reason?: string }>;
    };
    expect(run.dryRun).toBe(true);
    expect(run.released).toBe(0);
    const byUser = Object.fromEntries(run.items.map((i) => [i.user, i]));
    expect(byUser["CORP\\anna"]).toBeUndefined();
    expect(byUser["CORP\\ops_admin"]!.result).toBe("kept");
    expect(byUser["CORP\\joe"]!.reason).toContain("KeepLicense");
    expect(byUser["CORP\\li"]!.reason).toContain("inactive");
    // The longest unused go first: maria (120 days) and olle (60); erik (45) waits for the next run.
    expect(run.items.filter((i) => i.result === "would release").map((i) => i.user)).toEqual(["CORP\\maria", "CORP\\olle"]);
    expect(byUser["CORP\\erik"]!.result).toBe("deferred");
    const state = (await (await fetch(`${sim.urls.control}/license`)).json()) as { releasedAllocations: string[] };
    expect(state.releasedAllocations).toEqual([]);
  });

  test("inactiveDaysByType sets the limit per access type (Butler's releaseThresholdDays)", async () => {
    const other = createTestApp(
      yaml
        .replace("inactiveDays: 30,", "inactiveDays: 30, inactiveDaysByType: { analyzer: 150 },")
        .replace(/^licenseMonitor.*$/m, "")
        .replace(/^versionMonitor.*$/m, ""),
      { dir: join(dir.path, "steward-per-type") },
    );
    try {
      const run = (await (await other.request("/v4/license/release", { method: "POST" })).json()) as { items: Array<{ user: string; accessType: string }> };
      const users = run.items.map((i) => i.user);
      expect(users).not.toContain("CORP\\maria");
      expect(users).not.toContain("CORP\\joe");
      expect(users).toContain("CORP\\erik");
    } finally {
      await other.close();
    }
  });

  test("a real run releases at most maxPerRun, audits each release and writes qlik_sense_license_release", async () => {
    const r = await t.request("/v4/license/release?dryRun=false", { method: "POST" });
    const run = (await r.json()) as { released: number; deferred: number; items: Array<{ user: string; result: string }> };
    expect(run.released).toBe(2);
    const state = (await (await fetch(`${sim.urls.control}/license`)).json()) as { releasedAllocations: string[] };
    expect(state.releasedAllocations).toHaveLength(2);
    const audit = await t.app.audit.query({ action: "license.release" });
    expect(
      audit
        .filter((a) => a.result === "ok")
        .map((a) => a.target)
        .sort(),
    ).toEqual(
      run.items
        .filter((i) => i.result === "released")
        .map((i) => i.user)
        .sort(),
    );
    const points = await influxQl(influx, "SELECT * FROM qlik_sense_license_release");
    expect(points).toHaveLength(2);
    expect(points.every((p) => Number(p.days_since_last_use) >= 30)).toBe(true);
    await waitFor(() => hooks("license.released").length === 1, { what: "license.released webhook" });
    const again = (await (await t.request("/v4/license/release?dryRun=false", { method: "POST" })).json()) as {
      released: number;
      items: Array<{ result: string }>;
    };
    expect(again.released).toBe(1);
  });

  test("few available allocations raise license.low_availability once until they recover", async () => {
    await control("/license", { professionalTokens: 4 });
    await t.request("/v4/license?refresh=true");
    await waitFor(() => hooks("license.low_availability").length === 1, { what: "low availability" });
    expect(hooks("license.low_availability")[0]!.data).toMatchObject({ accessType: "professional", threshold: 2 });
    await t.request("/v4/license?refresh=true");
    await Bun.sleep(200);
    expect(hooks("license.low_availability")).toHaveLength(1);
  });

  test("the version is written, and a change raises qliksense.version_changed", async () => {
    await waitFor(async () => (await influxQl(influx, "SELECT * FROM qlik_sense_version")).length >= 1, { what: "version point" });
    const [v] = await influxQl(influx, "SELECT * FROM qlik_sense_version");
    expect(v).toMatchObject({ version: "14.187.4", release_label: "February 2025", product_name: "Qlik Sense" });
    expect(hooks("qliksense.version_changed")).toEqual([]);
    await control("/site", { productVersion: "14.212.7", releaseLabel: "May 2025" });
    const r = await t.request("/v4/qliksense/version?refresh=true");
    expect(((await r.json()) as { version: { version: string } }).version.version).toBe("14.212.7");
    await waitFor(() => hooks("qliksense.version_changed").length === 1, { what: "version changed webhook" });
    expect(hooks("qliksense.version_changed")[0]!.data).toMatchObject({ previousVersion: "14.187.4 (February 2025)", version: "14.212.7" });
  });

  test("a restart repeats no alert already raised", async () => {
    await t.app.stop();
    const before = rx.requests.length;
    t = createTestApp(yaml, { dir: join(dir.path, "steward") });
    await t.app.start();
    await t.request("/v4/license?refresh=true");
    await t.request("/v4/qliksense/version?refresh=true");
    await Bun.sleep(300);
    expect(rx.requests.length).toBe(before);
  });

  test("a refresh asked while a read is on its way reads again: the renewal it was asked after is seen and alerted", async () => {
    // The read in progress has the server license and waits for the access types, held by the simulator.
    const hold = sim.faults.add({ target: "qrs", pathContains: "/license/accesstypeoverview", delayMs: 600_000, count: 1 }, Date.now());
    const since = sim.requests.list({ source: "qrs" }).at(-1)?.seq ?? 0;
    const first = t.request("/v4/license?refresh=true");
    await waitFor(() => hold.hits === 1 && sim.requests.list({ source: "qrs", sinceSeq: since }).some((r) => r.path.endsWith("/qrs/license")), {
      what: "a read with the server license and its access types held",
    });
    await control("/license", { validTo: dateIn(20) });
    const second = t.request("/v4/license?refresh=true");
    sim.faults.release(hold.id);
    expect(((await (await first).json()) as { monitor: { server: { expiryDate: string } } }).monitor.server.expiryDate).toBe(dateIn(-3));
    // Before, the second refresh joined the first read and answered what it had read before the renewal.
    expect(((await (await second).json()) as { monitor: { server: { expiryDate: string } } }).monitor.server.expiryDate).toBe(dateIn(20));
    await waitFor(() => hooks("license.expiring").some((h) => h.expiryDateStr === dateIn(20)), { what: "license.expiring webhook of the renewal" });
  });

  test("an InfluxDB that does not answer holds back no license alert: the run raises it, then fails on the write", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const deadUrl = `http://127.0.0.1:${closed.port}`;
    closed.stop(true);
    await control("/license", { validTo: dateIn(25) });
    const other = createTestApp(
      yaml
        .replace(influx.url, deadUrl)
        .replace(/^licenseRelease.*$/m, "")
        .replace(/^versionMonitor.*$/m, ""),
      {
        dir: join(dir.path, "steward-influx-down"),
      },
    );
    await other.app.start();
    try {
      // Before, the points were written first and the refused write ended the run before any alert.
      await waitFor(() => hooks("license.expiring").some((h) => h.expiryDateStr === dateIn(25)), { what: "license.expiring with InfluxDB down" });
      await waitFor(() => other.app.metrics.render().includes('steward_site_monitor_runs_total{monitor="license",result="failed"} 1'), {
        what: "the run counted failed on its write",
      });
    } finally {
      await other.close();
    }
  });
});
