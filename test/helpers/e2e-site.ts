// The small simulated site the end-to-end tests of whole Steward processes share (Windows binary under Wine,
// Bun and Deno from source): one app, a failing reload with a script error, its follow-up and two tasks tagged Ops;
// its simulator, and the config folder and config those tests give Steward.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Simulator, startSimulator } from "../../src/sim";
import { simCertDir } from "./sim-certs";

export const E2E_SCRIPT_ERROR = "Cannot open file: 'lib://Data/orders.qvd'";

export interface E2eSite {
  ids: { app: string; failing: string; followUp: string; opsA: string; opsB: string };
  yaml: string;
}

/** `idPrefix` is the first 34 characters of a GUID; each test uses its own so their ids never collide. */
export function e2eSite(name: string, idPrefix: string): E2eSite {
  const ids = { app: `${idPrefix}01`, failing: `${idPrefix}02`, followUp: `${idPrefix}03`, opsA: `${idPrefix}04`, opsB: `${idPrefix}05` };
  const yaml = `
site: { name: ${name} }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna.svensson@corp.example }
streams:
  - { name: Sales }
tags: [Nightly, Finance, Ops]
apps:
  - { id: ${ids.app}, name: Sales dashboard, owner: CORP\\anna, stream: Sales, tags: [Finance] }
tasks:
  - { id: ${ids.failing}, name: Reload Sales dashboard, type: reload, app: Sales dashboard, tags: [Nightly, Finance], scriptError: "${E2E_SCRIPT_ERROR}" }
  - { id: ${ids.followUp}, name: Reload Sales fallback, type: reload, app: Sales dashboard }
  - { id: ${ids.opsA}, name: Ops refresh A, type: reload, app: Sales dashboard, tags: [Ops] }
  - { id: ${ids.opsB}, name: Ops refresh B, type: reload, app: Sales dashboard, tags: [Ops] }
`;
  return { ids, yaml };
}

const HOST = "127.0.0.1";

/** The site's simulator with its certificates below `dir`, its ports free, its datagrams sent to `udpPort`. */
export function startE2eSimulator(site: E2eSite, dir: string, udpPort: number): Promise<Simulator> {
  return startSimulator({
    site: site.yaml,
    certDir: simCertDir(join(dir, "qlik-certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { udp: { targets: [{ host: HOST, port: udpPort }] }, timing: { durationOverrideMs: 100 } },
  });
}

/** The config folder's contents besides the config and the secrets: the file API's folders and a subject override. */
export function prepareE2eConfigFolder(conf: string, subject: string): void {
  for (const d of ["landing", "archive", "qvd"]) mkdirSync(join(conf, "qlikdata", d), { recursive: true });
  // A template override in a nested folder (on Windows its name is derived from a path with backslashes).
  mkdirSync(join(conf, "mail-templates", "email"), { recursive: true });
  writeFileSync(join(conf, "mail-templates", "email", "task.failed.subject.eta"), subject);
}

export interface E2eConfig {
  httpPort: number;
  udpPort: number;
  sim: Simulator;
  /** The simulator's certificate folder as the program under test names it. */
  certDir: string;
  /** Whether Steward talks to the Engine (not under Wine, whose TLS client fails on wss). */
  engine: boolean;
  hookUrl: string;
  smtpPort: number;
  /** The separator in the secret files' relative paths ("/" or Windows' "\"). */
  sep: "/" | "\\";
}

/** The Steward config the end-to-end tests run: QRS, intake, the file API, a webhook and an e-mail channel. */
export function e2eConfigYaml(c: E2eConfig): string {
  const engine = c.engine ? `\n  enginePort: ${c.sim.ports.engine}` : "";
  return `dataDir: ./data
logging: { level: info, format: json }
http: { host: ${HOST}, port: ${c.httpPort} }
udp: { host: ${HOST}, port: ${c.udpPort}, allowedSources: [${HOST}] }
qlik:
  host: ${HOST}
  qrsPort: ${c.sim.ports.qrs}${engine}
  certDir: ${JSON.stringify(c.certDir)}
  timeoutMs: 5000
  retries: 1
  qmcUrl: https://sense1.test.example/qmc
  hubUrl: https://sense1.test.example/hub
intake:
  enrichment: { finalStatusAttempts: 20, finalStatusDelayMs: 50, scriptLog: { attempts: 5, retryDelayMs: 100 } }
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
files:
  copy: [{ from: ./qlikdata/landing, to: ./qlikdata/archive }]
  move: [{ from: ./qlikdata/landing, to: ./qlikdata/qvd }]
  delete: [./qlikdata/archive]
  qvdRoot: ./qlikdata/qvd
channels:
  hook:
    type: webhook
    url: ${JSON.stringify(`${c.hookUrl}/alerts`)}
    headers: { Authorization: '\${file:secrets${c.sep}hook-token.txt}' }
  mail:
    type: email
    templates: ./mail-templates
    smtp: { host: ${HOST}, port: ${c.smtpPort}, security: none, auth: { user: steward, password: '\${file:secrets${c.sep}smtp-password.txt}' } }
    from: steward@corp.example
    to: [ops@corp.example]
routes:
  - { name: failures, on: [task.failed], to: [hook, mail], recipients: { appOwner: { enabled: true } }, renotify: every }
`;
}
