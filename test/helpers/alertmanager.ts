// Prometheus Alertmanager from Debian's prometheus-alertmanager, started on a free loopback port with its own
// alertmanager.yml and data dir, gossip off (--cluster.listen-address=); stop() kills it by PID.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess } from "./child-process";
import { requireTool } from "./executables";
import { freeTcpPorts } from "./free-port";
import { finishStart, HOST, READY_TIMEOUT_MS, retryOnPortClash, type TestService } from "./services";
import { createTempDir } from "./temp-dir";
import { waitForHttp } from "./wait-for";

export interface AlertmanagerOptions {
  /** global.resolve_timeout: how long an alert posted without endsAt stays firing unless posted again. */
  resolveTimeout?: string;
  /** The rest of alertmanager.yml (route, receivers, inhibit_rules); a route to a receiver that sends nothing by default. */
  body?: string;
  /** A whole alertmanager.yml instead (resolveTimeout and body are then not used). */
  wholeConfig?: string;
}

/** One alert as GET /api/v2/alerts answers. */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  /** When it was last posted (a re-send moves it). */
  updatedAt: string;
  generatorURL?: string;
  fingerprint: string;
  status: { state: "active" | "suppressed" | "unprocessed"; silencedBy: string[]; inhibitedBy: string[] };
}

const DEFAULT_BODY = `route:
  receiver: nowhere
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: nowhere
`;

export function startAlertmanager(opts: AlertmanagerOptions = {}): Promise<TestService> {
  return retryOnPortClash("startAlertmanager", () => startAlertmanagerOnce(opts));
}

async function startAlertmanagerOnce(opts: AlertmanagerOptions): Promise<TestService> {
  const bin = requireTool("alertmanager");
  const dir = createTempDir("steward-alertmanager-");
  const [port] = await freeTcpPorts(1);
  if (port === undefined) throw new Error("no free port");
  const conf = join(dir.path, "alertmanager.yml");
  writeFileSync(conf, opts.wholeConfig ?? `global:\n  resolve_timeout: ${opts.resolveTimeout ?? "5m"}\n${opts.body ?? DEFAULT_BODY}`);
  const proc = startProcess(
    bin,
    [
      `--config.file=${conf}`,
      `--storage.path=${join(dir.path, "data")}`,
      `--web.listen-address=${HOST}:${port}`,
      // An empty address turns gossip off: no second port, no peers looked for.
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { cwd: dir.path },
  );
  const url = `http://${HOST}:${port}`;
  return finishStart("alertmanager", proc, dir, port, url, () => waitForHttp(`${url}/-/ready`, { timeoutMs: READY_TIMEOUT_MS }));
}

/** Every alert Alertmanager holds (active, suppressed and unprocessed; resolved ones drop out of this list). */
export async function alertmanagerAlerts(am: Pick<TestService, "url">): Promise<GettableAlert[]> {
  const res = await fetch(`${am.url}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET /api/v2/alerts: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as GettableAlert[];
}

/** Creates a silence of `matchers` (label = value) for an hour; returns its id. */
export async function silenceInAlertmanager(am: Pick<TestService, "url">, matchers: Record<string, string>): Promise<string> {
  const now = Date.now();
  const res = await fetch(`${am.url}/api/v2/silences`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      matchers: Object.entries(matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      createdBy: "steward test",
      comment: "the on-call team silences it in Alertmanager",
    }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new Error(`POST /api/v2/silences: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { silenceID: string }).silenceID;
}
