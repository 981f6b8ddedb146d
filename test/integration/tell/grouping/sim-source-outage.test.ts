// The scenario of issue 47 on the simulator: a data source (DWH) refuses connections while 25 reload tasks of 12
// apps in 3 streams read it (10 more tasks hang off them and do not run). Steward reads each failure from the
// Scheduler's datagram and the script log from QRS, classifies it (connection), finds the source in the log, and
// pages once when the cause opens and once when the last task is back; the parent lists every task, app and stream.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ParentView } from "../../../../src/tell/grouping";
import { closeAll } from "../../../helpers/app";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHarness, type Harness } from "../../hear/intake/harness";
import { startHttpReceiver, type HttpReceiver } from "../notify/receivers";

const id = (n: number, kind: "t" | "a" | "d") => `00000000-0000-4000-8${kind === "t" ? "0" : kind === "a" ? "1" : "2"}00-${String(n).padStart(12, "0")}`;

function site(): string {
  const apps = Array.from({ length: 12 }, (_, i) => `  - { id: ${id(i, "a")}, name: App ${i}, owner: CORP\\anna, stream: Stream ${i % 3} }`);
  const tasks = Array.from(
    { length: 25 },
    (_, i) =>
      `  - { id: ${id(i, "t")}, name: Load ${i}, type: reload, app: App ${i % 12}, scriptError: "Connection refused: the DWH server did not accept the connection" }`,
  );
  const downstream = Array.from(
    { length: 10 },
    (_, i) =>
      `  - { id: ${id(i, "d")}, name: After ${i}, type: reload, app: App ${i}, triggers: [{ type: composite, name: After load ${i}, rules: [{ task: Load ${i}, state: success }] }] }`,
  );
  return `site: { name: Source outage, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }
streams: [{ name: Stream 0 }, { name: Stream 1 }, { name: Stream 2 }]
apps:
${apps.join("\n")}
tasks:
${[...tasks, ...downstream].join("\n")}
`;
}

let dir: TempDir;
let rx: HttpReceiver;
let h: Harness;

beforeAll(async () => {
  dir = createTempDir("steward-outage-");
  rx = startHttpReceiver();
  h = await startHarness({
    dir: dir.path,
    site: site(),
    extraYaml: `channels:\n  hook: { type: webhook, url: "${rx.url}/hook" }\nroutes:\n  - { on: [task.failed, task.recovered], to: [hook] }\n`,
  });
}, 60_000);
afterAll(async () => {
  await closeAll(h?.t, h?.sim, dir);
  await rx?.stop();
});

test("25 failures from one refusing source: one page opened, one recovered, every task and app listed", { timeout: 120_000 }, async () => {
  const failed = [];
  for (let i = 0; i < 25; i++) failed.push(await h.runWhenIdle(id(i, "t"), "fail"));
  for (const x of failed) await h.eventFor(x, 20_000);
  await waitFor(() => rx.requests.length >= 1, { what: "the opened page" });
  await Bun.sleep(1_000);
  const pages = () => rx.requests.map((r) => (JSON.parse(r.body) as { kind: string }).kind);
  expect(pages()).toEqual(["task.failed"]);

  const { causes } = (await (await h.t.request("/v4/causes?status=open")).json()) as { causes: ParentView[] };
  expect(causes).toHaveLength(1);
  expect(causes[0]!.title).toBe("connection errors from DWH");
  expect(causes[0]!.affected.text).toBe("25 tasks, 12 apps, 3 streams affected");
  expect(causes[0]!.affected.tasks).toEqual(Array.from({ length: 25 }, (_, i) => `Load ${i}`).sort());
  expect(await (await h.t.request("/ui/causes")).text()).toContain("25 still failing");
  // Load 0 fails twice more: its task is named already, its runs are not (issue 58: every run named by a page).
  for (let i = 0; i < 2; i++) failed.push(await h.runWhenIdle(id(0, "t"), "fail"));
  for (const x of failed.slice(-2)) await h.eventFor(x, 20_000);

  const back = [];
  for (let i = 0; i < 25; i++) back.push(await h.runWhenIdle(id(i, "t"), "succeed"));
  for (const x of back) await h.eventFor(x, 20_000);
  await waitFor(() => rx.requests.length >= 2, { what: "the recovered page" });
  await Bun.sleep(1_500);
  expect(pages()).toEqual(["task.failed", "task.recovered"]);
  // The opening page names its own run (and any folded in before it was made); the recovered page every one of the
  // 27 failed runs, none left out.
  const [opening, recovered] = rx.requests.map((r) => JSON.parse(r.body) as { executionId: string; cause: { runs: string[]; counts: { runs: number } } });
  expect(opening!.cause.runs).toContain(opening!.executionId.toLowerCase());
  expect([...recovered!.cause.runs].sort()).toEqual(failed.map((x) => x.toLowerCase()).sort());
  expect(recovered!.cause.counts.runs).toBe(27);
  const detail = (await (await h.t.request(`/v4/causes/${causes[0]!.id}`)).json()) as { runs: string[] };
  expect(detail.runs).toHaveLength(27);
  const closed = (await (await h.t.request("/v4/causes?status=closed")).json()) as { causes: ParentView[] };
  expect(closed.causes[0]).toMatchObject({ status: "closed", stillFailing: 0 });
});
