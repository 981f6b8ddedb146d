// A small simulated Qlik site for the control tests (tags and custom properties that match several tasks of
// different types, a failing reload, apps with content to dump) and a helper that boots it with Steward.
import { startSimulator, type Simulator } from "../../../../src/sim";
import type { LoggedRequest } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { simCertDir } from "../../../helpers/sim-certs";

export const T = {
  salesReload: "a1000000-0000-4000-8000-000000000001",
  financeReload: "a1000000-0000-4000-8000-000000000002",
  hrReloadFails: "a1000000-0000-4000-8000-000000000003",
  extract: "a1000000-0000-4000-8000-000000000004",
  adSync: "a1000000-0000-4000-8000-000000000005",
  distribute: "a1000000-0000-4000-8000-000000000006",
  preload: "a1000000-0000-4000-8000-000000000007",
  allowedById: "a1000000-0000-4000-8000-000000000008",
  onSuccess: "a1000000-0000-4000-8000-000000000009",
  onFailure: "a1000000-0000-4000-8000-00000000000a",
  disabled: "a1000000-0000-4000-8000-00000000000b",
} as const;

export const A = {
  sales: "b2000000-0000-4000-8000-000000000001",
  finance: "b2000000-0000-4000-8000-000000000002",
  hrFails: "b2000000-0000-4000-8000-000000000003",
} as const;

export const UNKNOWN_TASK = "c3000000-0000-4000-8000-000000000099";

export const SITE_YAML = `
nodes:
  - { name: Central, hostName: sense1.corp.example, central: true }
users:
  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }
streams:
  - { name: Sales }
tags: [etl, nightly, hr, allowed-tag]
customProperties:
  - { name: taskGroup, choiceValues: [finance, ops], objectTypes: [ReloadTask, ExternalProgramTask, UserSyncTask] }
apps:
  - id: ${A.sales}
    name: Sales dashboard
    owner: CORP\\anna
    stream: Sales
    reload: { durationMs: 600 }
    content:
      sheets: [Overview, Details]
      stories: [Quarter story]
      masterObjects: [{ title: Revenue bars }]
      dimensions: [{ title: Region, field: Region }]
      measures: [{ title: Revenue, expression: Sum(Sales) }]
      bookmarks: [Nordics]
      snapshots: [Q3 snapshot]
      variables: [{ name: vToday, definition: "=Today()" }]
      media: [/media/Logo.png]
  - { id: ${A.finance}, name: Finance, owner: CORP\\anna, reload: { durationMs: 400 } }
  - id: ${A.hrFails}
    name: HR (broken)
    owner: CORP\\anna
    reload: { durationMs: 300, outcome: fail, error: "Cannot open file: 'lib://Data/hr.qvd'" }
tasks:
  - { id: ${T.salesReload}, type: reload, name: Reload Sales, app: Sales dashboard, tags: [etl, nightly], customProperties: { taskGroup: finance }, durationMs: 500 }
  - { id: ${T.financeReload}, type: reload, name: Reload Finance, app: Finance, tags: [etl], customProperties: { taskGroup: finance }, durationMs: 400 }
  - id: ${T.hrReloadFails}
    type: reload
    name: Reload HR
    app: HR (broken)
    tags: [hr]
    durationMs: 400
    outcome: fail
    scriptError: "Cannot open file: 'lib://Data/hr.qvd'"
  - { id: ${T.extract}, type: externalProgram, name: Run extract, path: "C:\\\\etl\\\\extract.cmd", tags: [etl], customProperties: { taskGroup: ops }, durationMs: 300 }
  - { id: ${T.adSync}, type: userSync, name: Sync CORP, userDirectory: CORP, tags: [nightly], durationMs: 300 }
  - { id: ${T.distribute}, type: distribute, name: Distribute Sales, app: Sales dashboard, tags: [etl], durationMs: 300 }
  - { id: ${T.preload}, type: preload, name: Preload Sales, app: Sales dashboard, tags: [allowed-tag], durationMs: 300 }
  - { id: ${T.allowedById}, type: reload, name: Allowed by id, app: Finance, durationMs: 300 }
  - { id: ${T.onSuccess}, type: reload, name: After success, app: Finance, durationMs: 300 }
  - { id: ${T.onFailure}, type: reload, name: After failure, app: Finance, durationMs: 300 }
  - { id: ${T.disabled}, type: reload, name: Disabled task, app: Finance, enabled: false, durationMs: 300 }
`;

export interface Harness {
  sim: Simulator;
  t: TestApp;
  /** The Steward config the app was built from (to build a second app on the same data directory). */
  configYaml: string;
  /** QRS task start calls the simulator saw (POST task/{id}/start[/synchronous]), as task ids in order. */
  startedInSim(sinceSeq?: number): string[];
  /** Engine JSON-RPC calls, in order. */
  engineCalls(sinceSeq?: number): Array<NonNullable<LoggedRequest["rpc"]>>;
  lastSeq(): number;
  json<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** `extraYaml` continues the `control:` section (two-space keys) and may add top-level sections after it. */
export async function startHarness(extraYaml = "", opts: { dataDir?: string } = {}): Promise<Harness> {
  const certs: TempDir = createTempDir("steward-ctl-certs-");
  const sim = await startSimulator({ site: SITE_YAML, certDir: simCertDir(certs.path), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
  let t: TestApp;
  let configYaml: string;
  try {
    configYaml =
      `${opts.dataDir ? `dataDir: ${opts.dataDir}\n` : ""}qlik:\n  host: 127.0.0.1\n  qrsPort: ${sim.ports.qrs}\n  enginePort: ${sim.ports.engine}\n  certDir: ${certs.path}\n  retries: 0\n` +
      `control:\n  wait: { pollIntervalMs: 100 }\n${/^ {2}reload:/m.test(extraYaml) ? "" : "  reload: { progressIntervalMs: 100 }\n"}${extraYaml}`;
    t = createTestApp(configYaml);
    await t.app.start();
  } catch (err) {
    await sim.stop();
    certs.remove();
    throw err;
  }
  const qrsStarts = (since = 0) =>
    sim.requests
      .list({ source: "qrs", sinceSeq: since, method: "POST" })
      .map((r) => /\/qrs\/task\/([0-9a-f-]{36})\/start/i.exec(r.path)?.[1]?.toLowerCase())
      .filter((x): x is string => !!x);
  return {
    sim,
    t,
    configYaml,
    startedInSim: qrsStarts,
    engineCalls: (since = 0) => sim.requests.list({ source: "engine", sinceSeq: since }).flatMap((r) => (r.rpc ? [r.rpc] : [])),
    lastSeq: () => sim.requests.list().at(-1)?.seq ?? 0,
    async json(path, init) {
      const headers =
        init?.body !== undefined ? { "Content-Type": "application/json", ...(init.headers as Record<string, string> | undefined) } : init?.headers;
      const r = await t.request(path, { ...init, headers });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : undefined) as never };
    },
    async close() {
      await t.close();
      await sim.stop();
      certs.remove();
    },
  };
}
