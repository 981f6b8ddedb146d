// Steward says when it cannot do its job (issue 54): against the simulator on a stepped clock, QRS answering 401 and
// an SMTP server that refuses each make Steward degraded: /ready answers 503, the dashboard shows the banner, and a
// steward.degraded event naming the part and what to do reaches the route's webhook (a channel that still works);
// when the part works again, steward.recovered follows and /ready is 200 again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createSteppedClock, type SteppedClock } from "../../../../src/platform/core/stepped-clock";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { simCertDir } from "../../../helpers/sim-certs";

const START = Date.parse("2026-11-24T18:00:00Z");
const MIN = 60_000;
const tmp = createTempDir("steward-degraded-");
let sim: Simulator;
let hook: HttpReceiver;
let smtp: SmtpReceiver | undefined;
let smtpPort: number;
let t: TestApp;
let clock: SteppedClock;

interface Posted {
  kind: string;
  title: string;
  summary: string;
  data: Record<string, string>;
}
const posted = (): Posted[] => hook.requests.map((r) => JSON.parse(r.body) as Posted);
const ready = async () => (await t.request("/ready")).status;

beforeAll(async () => {
  sim = await startSimulator({ certDir: simCertDir(join(tmp.path, "certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
  hook = startHttpReceiver();
  smtpPort = await freeTcpPort(); // nothing listens yet: the SMTP server refuses every connection
  clock = createSteppedClock(START);
  t = createTestApp(
    [
      `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, enginePort: ${sim.ports.engine}, certDir: ${JSON.stringify(sim.certDir)}, timeoutMs: 3000, retries: 0 }`,
      "channels:",
      `  hook: { type: webhook, url: "${hook.url}/hook" }`,
      `  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtpPort}, security: none }, from: steward@corp.example, to: [ops@corp.example] }`,
      "routes:",
      "  - { on: [steward.degraded, steward.recovered], to: [hook] }",
      "  - { on: [task.failed], to: [mail] }",
      "",
    ].join("\n"),
    { clock, dir: join(tmp.path, "steward") },
  );
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await hook?.stop();
  await smtp?.stop();
  await sim?.stop();
  tmp.remove();
});

test("QRS answering 401: degraded (503, banner, steward.degraded to the webhook), then recovered", async () => {
  await clock.runUntil(clock.now() + 2 * MIN);
  expect(await ready()).toBe(200);
  expect(posted()).toEqual([]);

  await simControl(sim, "POST", "/faults", { target: "qrs", status: 401, body: "Unauthorized" });
  await clock.runUntil(clock.now() + 3 * MIN);
  expect(await ready()).toBe(503);
  const degraded = posted().filter((e) => e.kind === "steward.degraded");
  expect(degraded.map((e) => e.data.component)).toEqual(["qrs"]);
  expect(degraded[0]!.summary).toContain("401");
  expect(degraded[0]!.summary).toContain("qlik.certDir");
  const page = await (await t.request("/ui")).text();
  expect(page).toContain("Steward is degraded");
  expect(page).toContain("<b>qrs</b>");

  await simControl(sim, "DELETE", "/faults");
  await clock.runUntil(clock.now() + 3 * MIN);
  expect(await ready()).toBe(200);
  expect(posted().map((e) => `${e.kind} ${e.data.component}`)).toEqual(["steward.degraded qrs", "steward.recovered qrs"]);
  expect(await (await t.request("/ui")).text()).not.toContain("Steward is degraded");
}, 60_000);

test("an SMTP server that refuses: degraded naming the mail channel, then recovered once it takes mail", async () => {
  hook.requests.length = 0;
  for (let i = 0; i < 3; i++) expect((await t.request("/v4/alerts/test?channel=mail", { method: "POST", body: "{}" })).status).toBe(202);
  // Each delivery is tried and fails (connection refused); the channel counts as failing after three attempts.
  await clock.runUntil(clock.now() + 4 * MIN);
  expect(await ready()).toBe(503);
  const degraded = posted().filter((e) => e.kind === "steward.degraded");
  expect(degraded.map((e) => e.data.component)).toEqual(["channels"]);
  expect(degraded[0]!.summary).toContain("mail: ");
  expect(degraded[0]!.summary).toMatch(/ECONNREFUSED|refused/i);

  // Once a key is required, the sign-in page (public) shows no banner: its details (servers, addresses, errors) are
  // for those /ready shows them to, as the dashboard's other pages are.
  const made = await t.request("/v4/admin/apikeys", { method: "POST", body: JSON.stringify({ name: "ops", scopes: ["admin"] }) });
  const { key } = (await made.json()) as { key: string };
  const login = await t.request("/ui/login", { headers: { accept: "text/html" } });
  expect(login.status).toBe(200);
  const signIn = await login.text();
  expect(signIn).toContain("Sign in with an API key");
  expect(signIn).not.toContain("Steward is degraded");
  expect(signIn).not.toContain(`127.0.0.1:${smtpPort}`);
  expect(await (await t.request("/ui", { headers: { "x-api-key": key } })).text()).toContain("Steward is degraded");

  smtp = await startSmtpReceiver({ port: smtpPort });
  // The outbox tries again with backoff; the first delivered mail ends it.
  await clock.runUntil(clock.now() + 15 * MIN);
  expect(smtp.mails.length).toBeGreaterThanOrEqual(1);
  expect(await ready()).toBe(200);
  expect(posted().map((e) => `${e.kind} ${e.data.component}`)).toEqual(["steward.degraded channels", "steward.recovered channels"]);
}, 60_000);
