// A delivery whose send failed just as PostgreSQL stopped (its retry could not be written, so it stayed "sending" on
// a Steward that is alive) goes back to the queue as soon as the store answers and is delivered within seconds,
// not when the sending lease runs out (10 minutes).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";

let pg: PostgresService;
let dir: TempDir;
let h: Harness;

/** A webhook receiver whose first request is answered 500 only when the test says so; later ones 200 at once. */
const requests: string[] = [];
let answerFirst!: () => void;
const firstAnswered = new Promise<void>((r) => (answerFirst = r));
const rx = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    requests.push(await req.text());
    if (requests.length === 1) {
      await firstAnswered;
      return new Response("not now", { status: 500 });
    }
    return new Response("ok");
  },
});

beforeAll(async () => {
  pg = await startPostgres({ durableCommits: true });
  const url = await pg.createDatabase("outbox_writeback");
  dir = createTempDir("steward-outbox-writeback-");
  h = await startHarness({
    dir: dir.path,
    intake: { reconcile: { enabled: false } },
    extraYaml: `store:
  postgres: { url: ${JSON.stringify(url)}, instanceName: solo, leaseTtlMs: 2000, heartbeatIntervalMs: 300, connectTimeoutMs: 1000 }
channels:
  hook: { type: webhook, url: "http://127.0.0.1:${rx.port}/hook", timeout: 60s }
routes:
  - { on: [task.failed], to: [hook] }
notify:
  outbox: { initialBackoff: 200ms, maxBackoff: 1s }
`,
  });
}, 60_000);

afterAll(async () => {
  answerFirst?.();
  await h?.close();
  await pg?.stop();
  rx.stop(true);
  dir?.remove();
});

test("a send that failed while PostgreSQL was down is sent again within seconds of its return", { timeout: 90_000 }, async () => {
  const executionId = await h.runWhenIdle(IDS.reload, "fail");
  await waitFor(() => requests.some((r) => r.includes(executionId)) || undefined, { timeoutMs: 20_000, what: "the first send" });
  await pg.halt("fast");
  // The channel fails now: its retry cannot be written to the store.
  answerFirst();
  await Bun.sleep(2_000);
  expect(requests).toHaveLength(1);
  await pg.resume();
  const back = Date.now();
  await waitFor(() => requests.length >= 2 || undefined, { timeoutMs: 30_000, what: "the delivery to be sent again after the store came back" });
  console.log(`sent again ${Date.now() - back} ms after PostgreSQL came back`);
  expect(requests[1]).toContain(executionId);
  await Bun.sleep(1_500);
  expect(requests).toHaveLength(2);
});
