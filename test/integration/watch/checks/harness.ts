// A simulated site for the data check tests and a Steward pointed at it: apps whose Engine values the tests
// set between reloads, a reload task with an event-triggered follow-up, an HTTP receiver for the alerts.
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import type { DataCheckEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { simCertDir } from "../../../helpers/sim-certs";

export const ID = {
  orders: "c4000000-0000-4000-8000-000000000001",
  finance: "c4000000-0000-4000-8000-000000000002",
  unchecked: "c4000000-0000-4000-8000-000000000003",
  big: "c4000000-0000-4000-8000-000000000004",
  reloadOrders: "c4100000-0000-4000-8000-000000000001",
  publishOrders: "c4100000-0000-4000-8000-000000000002",
  reloadFinance: "c4100000-0000-4000-8000-000000000003",
  reloadUnchecked: "c4100000-0000-4000-8000-000000000004",
  reloadBig: "c4100000-0000-4000-8000-000000000005",
} as const;

export const SITE = `
site: { name: Data check site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna.svensson@corp.example }
streams:
  - { name: Sales }
tags: [Nightly]
customProperties:
  - { name: StewardChecks, choiceValues: [finance, orders], objectTypes: [App, ReloadTask] }
apps:
  - id: ${ID.orders}
    name: Orders
    owner: CORP\\anna
    stream: Sales
    reload: { durationMs: 50 }
    expressions:
      "NoOfRows('Orders')": 118204
      "Max(OrderDate)": { text: "2026-11-21", number: 46347 }
      "Today()": { text: "2026-11-22", number: 46348 }
  - { id: ${ID.finance}, name: Finance, owner: CORP\\anna, customProperties: { StewardChecks: finance }, reload: { durationMs: 50 }, expressions: { "Sum(Amount)": 2500000 } }
  - { id: ${ID.unchecked}, name: Unchecked, owner: CORP\\anna, reload: { durationMs: 50 } }
  - { id: ${ID.big}, name: Big, owner: CORP\\anna, fileSize: 8589934592, reload: { durationMs: 50 }, expressions: { "NoOfRows('Facts')": 1 } }
tasks:
  - { id: ${ID.reloadOrders}, name: Reload Orders, type: reload, app: Orders, tags: [Nightly] }
  - { id: ${ID.publishOrders}, name: Publish Orders, type: reload, app: Unchecked }
  - { id: ${ID.reloadFinance}, name: Reload Finance, type: reload, app: Finance }
  - { id: ${ID.reloadUnchecked}, name: Reload Unchecked, type: reload, app: Unchecked }
  - { id: ${ID.reloadBig}, name: Reload Big, type: reload, app: Big }
`;

export const CHECKS_YAML = `
dataChecks:
  timeout: 2s
  retryDelay: 1s
  maxWait: 30s
  maxAppSizeMb: 4096
  checks:
    - { name: orders-not-empty, expression: "NoOfRows('Orders')", expect: "> 0", severity: block, apps: [Orders] }
    - { name: fresh-orders, expression: "Max(OrderDate)", expect: ">= Today() - 1", apps: [${ID.orders}] }
    - { name: revenue-range, expression: "Sum(Amount)", expect: "between 1e5 and 1e8", sets: [finance] }
    - { name: currency, expression: "Only(Currency)", expect: "= 'EUR'", sets: [finance] }
    - { name: facts-loaded, expression: "NoOfRows('Facts')", expect: "> 0", severity: block, apps: [Big] }
`;

export interface ChecksHarness {
  sim: Simulator;
  t: TestApp;
  hook: HttpReceiver;
  /** data.check_* events the webhook received, in order. */
  alerts(): DataCheckEvent[];
  /** Runs a task in the simulator and returns its execution id. */
  run(taskId: string): Promise<string>;
  /** Waits for the check run of this reload task execution to be done (events raised). */
  runDone(executionId: string): Promise<{
    verdict: string;
    holdBack: string | null;
    error: string | null;
    values: Array<{ check: string; status: string; value: { text: string; number: number | null } | null; message: string | null; previous: number | null }>;
  }>;
  setExpressions(appId: string, values: Record<string, unknown>): Promise<void>;
  /** Task ids the simulator was asked to start through QRS since `seq`. */
  startedInSim(sinceSeq?: number): string[];
  lastSeq(): number;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/** `channels` adds channel lines (two-space indented) beside the webhook. */
export function stewardYaml(sim: Simulator, hookUrl: string, extra = "", channels = ""): string {
  return `
qlik:
  host: 127.0.0.1
  qrsPort: ${sim.ports.qrs}
  enginePort: ${sim.ports.engine}
  certDir: ${JSON.stringify(sim.certDir)}
  timeoutMs: 2000
  retries: 1
intake:
  enrichment: { lookupTimeoutMs: 1500, finalStatusAttempts: 20, finalStatusDelayMs: 25, scriptLog: { retryDelayMs: 50, attempts: 5 } }
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
channels:
  hook: { type: webhook, url: "${hookUrl}/alerts", method: POST }
${channels}routes:
  - { name: data, on: [data.check_failed, data.check_passed, data.check_error], to: [hook] }
${extra}`;
}

export async function startChecksHarness(opts: { dir: string; extraYaml?: string; checksYaml?: string; channelsYaml?: string }): Promise<ChecksHarness> {
  const sim = await startSimulator({
    site: SITE,
    certDir: simCertDir(join(opts.dir, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 60 } },
  });
  const hook = startHttpReceiver();
  const t = createTestApp(stewardYaml(sim, hook.url, `${opts.checksYaml ?? CHECKS_YAML}${opts.extraYaml ?? ""}`, opts.channelsYaml ?? ""), {
    dir: join(opts.dir, "steward"),
  });
  await t.app.start();
  sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
  const h: ChecksHarness = {
    sim,
    t,
    hook,
    alerts: () => hook.requests.filter((r) => r.path === "/alerts").map((r) => (JSON.parse(r.body) as { stewardEvent: DataCheckEvent }).stewardEvent),
    async run(taskId) {
      await waitFor(() => !sim.tasks.isRunning(taskId), { what: `task ${taskId} idle`, timeoutMs: 10_000 });
      const r = sim.tasks.start(taskId, { outcome: "succeed", durationMs: 60 });
      if (!r.started) throw new Error(`not started: ${r.reason}`);
      return r.executionId;
    },
    runDone: (executionId) =>
      waitFor(
        async () => {
          const res = await t.request(`/v4/data-checks/runs/task:${executionId.toLowerCase()}`);
          if (res.status !== 200) return undefined;
          const run = (await res.json()) as Awaited<ReturnType<ChecksHarness["runDone"]>> & { status: string };
          return run.status === "done" ? run : undefined;
        },
        { what: `the data check run of execution ${executionId}`, timeoutMs: 20_000 },
      ),
    setExpressions: async (appId, values) => void (await simControl(sim, "PUT", `/apps/${appId}/expressions`, values)),
    startedInSim: (since = 0) =>
      sim.requests
        .list({ source: "qrs", sinceSeq: since, method: "POST" })
        .map((r) => /\/qrs\/task\/([0-9a-f-]{36})\/start/i.exec(r.path)?.[1]?.toLowerCase())
        .filter((x): x is string => !!x),
    lastSeq: () => sim.requests.list().at(-1)?.seq ?? 0,
    async metric(name, labels = {}) {
      const text = await (await t.request("/metrics")).text();
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      const line = text
        .split("\n")
        .find((l) => (l.startsWith(`${name} `) && want.length === 0) || (l.startsWith(`${name}{`) && want.every((w) => l.includes(w))));
      return line ? Number(line.split(" ").at(-1)) : 0;
    },
    async close() {
      await t.close();
      await sim.stop();
      await hook.stop();
    },
  };
  return h;
}
