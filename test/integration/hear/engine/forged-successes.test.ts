// Issue 86, point 2, end to end: where app.reload_succeeded is routed, 20 forged Engine success lines of one app in
// 2 s gave 20 deliveries on every channel. Now the app's page budget for successes (6 an hour) holds the rest: they
// are listed (GET /v4/engine-reloads) and counted, not delivered.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { IDS, type Harness, startHarness } from "../intake/harness";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";

let dir: TempDir;
let rx: HttpReceiver;
let h: Harness;

beforeAll(async () => {
  dir = createTempDir("steward-forged-successes-");
  rx = startHttpReceiver(200);
  h = await startHarness({
    dir: dir.path,
    extraYaml: `
engineReloads: { settle: 100ms }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { name: successes, on: [app.reload_succeeded], to: [hook] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await rx?.stop();
  dir?.remove();
});

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace("Z", "+0000");

test("20 forged success lines of one app in 2 s: 6 delivered, 14 listed as over the budget", async () => {
  const sock = createSocket("udp4");
  for (let i = 0; i < 20; i++) {
    const line = `/engine-reload/;sense1.test.example;${IDS.app};forged-${i};CORP;anna;${stamp(Date.now())};INFO;0;AuditActivity.Engine;Command=Reload;Result=0;ResultText=Success`;
    await new Promise<void>((resolve, reject) => sock.send(Buffer.from(line), h.udpPort(), "127.0.0.1", (err) => (err ? reject(err) : resolve())));
    await Bun.sleep(100);
  }
  sock.close();
  const metric = (verdict: string) => h.metric("steward_engine_reloads_total", { outcome: "succeeded", verdict });
  await waitFor(async () => (await metric("over_budget")) + (await metric("unconfirmed")) + (await metric("fresh")) === 20, {
    timeoutMs: 30_000,
    what: "the 20 lines judged",
  });
  expect(await metric("over_budget")).toBe(14);
  await waitFor(() => rx.requests.length >= 6 || undefined, { timeoutMs: 20_000, what: "six deliveries" });
  await Bun.sleep(500);
  expect(rx.requests.filter((r) => r.path === "/hook")).toHaveLength(6);
  const listed = (await (await h.t.request("/v4/engine-reloads?limit=50&sinceHours=1")).json()) as { reloads: Array<{ reason?: string }> };
  expect(listed.reloads.filter((r) => r.reason?.includes("successes.perAppPerHour"))).toHaveLength(14);
}, 60_000);
