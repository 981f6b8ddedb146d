// A burst of failed runs started by triggers and task chains reaches the intake at once: each failure still names
// the trigger or the chain that started it (and nothing when QRS shows none), while the triggers of the burst's
// tasks are read from QRS per batch of tasks (`reloadTask.id eq … or …`), not once per run.
import { createSocket } from "node:dgram";
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHarness, type Harness } from "../../hear/intake/harness";

const guid = (kind: number, n: number) => `${String(kind).padStart(8, "0")}-0000-4000-8000-${String(n).padStart(12, "0")}`;
const UPSTREAM = guid(9, 0);
const NEVER_RAN = guid(9, 1);
/** Started by their schema trigger (reload tasks, then external programs). */
const SCHEDULED = Array.from({ length: 30 }, (_, i) => guid(1, i));
const SCHEDULED_EXTERNAL = Array.from({ length: 5 }, (_, i) => guid(2, i));
/** Started by their task-event trigger after UPSTREAM succeeded. */
const CHAINED = Array.from({ length: 20 }, (_, i) => guid(3, i));
/** Started by the Scheduler's account without their schema trigger having fired: QRS names no trigger. */
const UNNAMED = Array.from({ length: 5 }, (_, i) => guid(4, i));
/** Started by their task-event trigger although its upstream never ran: QRS names no chain. */
const UNMET = Array.from({ length: 3 }, (_, i) => guid(5, i));
const ALL = [...SCHEDULED, ...SCHEDULED_EXTERNAL, ...CHAINED, ...UNNAMED, ...UNMET];
const N = ALL.length;

const schema = (name: string) => `[{ type: schema, name: "${name}", incrementOption: daily, startDate: "2025-01-01T02:00:00.000", timeZone: UTC }]`;
const chain = (name: string, upstream: string) =>
  `[{ type: composite, name: "${name}", timeConstraint: { minutes: 30 }, rules: [{ task: ${upstream}, state: success }] }]`;
const reload = (id: string, name: string, triggers: string) =>
  `  - { id: ${id}, name: ${name}, type: reload, app: Data, outcome: fail, triggers: ${triggers} }`;

const SITE = `
site: { name: Trigger burst, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna.svensson@corp.example }
apps:
  - { name: Data, owner: CORP\\anna }
tasks:
  - { id: ${UPSTREAM}, name: Extract, type: reload, app: Data }
  - { id: ${NEVER_RAN}, name: Extract never run, type: reload, app: Data }
${SCHEDULED.map((id, i) => reload(id, `Scheduled ${i}`, schema(`Nightly ${i}`))).join("\n")}
${SCHEDULED_EXTERNAL.map((id, i) => `  - { id: ${id}, name: External ${i}, type: externalProgram, path: "C:\\\\x.cmd", outcome: fail, triggers: ${schema(`Hourly ${i}`)} }`).join("\n")}
${CHAINED.map((id, i) => reload(id, `Chained ${i}`, chain(`After extract ${i}`, "Extract"))).join("\n")}
${UNNAMED.map((id, i) => reload(id, `Unnamed ${i}`, schema(`Never fired ${i}`))).join("\n")}
${UNMET.map((id, i) => reload(id, `Unmet ${i}`, chain(`After the never-run ${i}`, "Extract never run"))).join("\n")}
`;

let dir: TempDir;
let h: Harness;
/** The burst's failure events, by task id. */
const failed = new Map<string, TaskEvent>();
/** The QRS requests Steward made while handling the burst. */
let requests: ReturnType<Harness["sim"]["requests"]["list"]> = [];

const triggerOf = (taskId: string) => h.sim.repo.tasks.get(taskId)!.model.triggers[0]!.id;

beforeAll(async () => {
  dir = createTempDir("steward-started-by-burst-");
  h = await startHarness({ dir: dir.path, site: SITE, intake: { reconcile: { enabled: false } } });
  // The upstream succeeds while Steward listens; the burst's runs then end while their datagrams are held back.
  await h.eventFor(await h.runWhenIdle(UPSTREAM, "succeed"));
  const sink = createSocket("udp4");
  const held: Buffer[] = [];
  sink.on("message", (m) => void held.push(Buffer.from(m)));
  await new Promise<void>((r) => sink.bind(0, "127.0.0.1", () => r()));
  h.sim.settings.udp.targets = [{ host: "127.0.0.1", port: sink.address().port }];
  for (const id of [...SCHEDULED, ...SCHEDULED_EXTERNAL, ...CHAINED, ...UNMET]) await simControl(h.sim, "POST", `/triggers/${triggerOf(id)}/fire`);
  for (const id of UNNAMED) h.run(id, "fail");
  await waitFor(() => ALL.every((id) => !h.sim.tasks.isRunning(id)), { timeoutMs: 20_000, what: "the burst's runs to end" });
  await waitFor(() => held.filter((d) => d.toString("utf8").includes("fail")).length >= N, { timeoutMs: 20_000, what: `${N} failure datagrams` });
  sink.close();

  // A QRS that takes a while to answer, as a busy central node does: the runs' reads overlap as they would there.
  h.sim.faults.add({ target: "qrs", method: "GET", delayMs: 30, forMs: 600_000 }, Date.now());
  const seq = h.sim.requests.list({ source: "qrs" }).at(-1)?.seq ?? 0;
  const sender = createSocket("udp4");
  for (const d of held) sender.send(d, h.udpPort(), "127.0.0.1");
  const wanted = new Set(ALL);
  await waitFor(
    () => {
      for (const e of h.events) if (e.kind === "task.failed" && wanted.has(e.task.id)) failed.set(e.task.id, e);
      return failed.size >= N;
    },
    { timeoutMs: 60_000, what: `${N} task.failed events` },
  );
  sender.close();
  requests = h.sim.requests.list({ source: "qrs", sinceSeq: seq });
}, 120_000);

afterAll(async () => {
  await h?.close();
  dir?.remove();
});

test("each failure of the burst names the trigger or chain that started it, or none when QRS shows none", () => {
  SCHEDULED.forEach((id, i) =>
    expect(failed.get(id)?.history?.startedBy).toMatchObject({
      kind: "scheduler",
      trigger: { type: "schedule", name: `Nightly ${i}` },
      text: `the trigger "Nightly ${i}"`,
    }),
  );
  SCHEDULED_EXTERNAL.forEach((id, i) => expect(failed.get(id)?.history?.startedBy.trigger).toEqual({ type: "schedule", name: `Hourly ${i}` }));
  CHAINED.forEach((id, i) =>
    expect(failed.get(id)?.history?.startedBy).toMatchObject({
      kind: "scheduler",
      trigger: { type: "chain", name: `After extract ${i}`, after: { task: "Extract", outcome: "succeeded" } },
      text: `the task chain "After extract ${i}" (after "Extract" succeeded)`,
    }),
  );
  for (const id of [...UNNAMED, ...UNMET]) {
    const startedBy = failed.get(id)?.history?.startedBy;
    expect(startedBy).toMatchObject({ kind: "scheduler", text: "a trigger or task chain" });
    expect(startedBy?.trigger).toBeUndefined();
  }
});

test("the burst's triggers are read per batch of tasks, not per run", () => {
  const count = (path: string) => requests.filter((r) => r.path === path).length;
  const schemaReads = count("/qrs/schemaevent/full");
  const chainReads = count("/qrs/compositeevent/full");
  // The chain rules' upstream runs: one `taskID … and status … and stopTime ge … and stopTime le …` read per run before.
  const upstreamReads = requests.filter((r) => r.path === "/qrs/executionresult/full" && /stopTime le/i.test(r.query.filter ?? "")).length;
  const batches = Math.ceil(N / 50);
  console.log(`${N} failed runs: schemaevent ${schemaReads}, compositeevent ${chainReads}, upstream executionresult ${upstreamReads} QRS requests`);
  // Before: a schema read for each of the N runs and a chain read for each run no schedule explained (2N in a burst
  // of unexplained runs). Now a few batches per task type: reload tasks and external programs are asked apart.
  expect(schemaReads).toBeLessThanOrEqual(batches + 4);
  expect(chainReads).toBeLessThanOrEqual(batches + 4);
  // Every run's filter names many tasks: one filter of the schema reads covers at least a batch's worth of tasks.
  const widest = Math.max(...requests.filter((r) => r.path === "/qrs/schemaevent/full").map((r) => (r.query.filter ?? "").split(" or ").length));
  expect(widest).toBeGreaterThan(10);
  // 23 chain lookups (the chained and the unmet runs): fewer reads than lookups, several asked together.
  expect(upstreamReads).toBeLessThan(CHAINED.length + UNMET.length);
});
