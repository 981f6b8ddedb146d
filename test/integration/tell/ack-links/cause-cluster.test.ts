// One incident, one place to act, on two Stewards sharing PostgreSQL (issue 74): a node's cause acknowledged from its
// mail's link on node-a is acknowledged on node-b, and its escalation stops for both (an unacknowledged queue's cause
// escalates once); a cause resolved by hand on node-b, with its task incidents or holding none, sends one follow-up to
// each channel its page reached, not one per Steward. Real time with a short escalation (as escalation.test.ts does
// for a cluster), a real SMTP receiver and webhook receivers.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticServiceEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { emitFailure, failedRun } from "../../../helpers/failed-runs";
import { startTwoStewards, type TwoStewards } from "../../../helpers/two-stewards";
import { waitFor } from "../../../helpers/wait-for";
import { timeScale, wallLimit } from "../../../helpers/time-limit";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../notify/receivers";

const BASE = "https://steward.corp.example";
const ANNA = "anna@corp.example";
/**
 * The escalation's delay, real time: the node's page must be acknowledged before it runs out. Scaled like the tests'
 * limits: in a loaded suite the first test's pages and press took longer than 4 s, and the acknowledged node's cause
 * escalated before its acknowledgement (a clean-clone run).
 */
const ESCALATE_S = Math.round(4 * timeScale());
let smtp: SmtpReceiver;
let rx: HttpReceiver;
let both: TwoStewards | undefined;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  rx = startHttpReceiver();
  both = await startTwoStewards(
    "cause_cluster",
    `channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [${ANNA}] }
  chat: { type: webhook, url: "${rx.url}/chat" }
  oncall: { type: webhook, url: "${rx.url}/oncall" }
routes:
  - name: ops
    on: [service.stopped, scheduler.queue_backlog, task.failed, task.recovered]
    to: [mail, chat]
    escalate: { after: ${ESCALATE_S}s, to: night-phone }
  - { name: night-phone, on: [service.stopped, scheduler.queue_backlog, task.failed], to: [oncall] }
actionLinks: { publicBaseUrl: "${BASE}" }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
  );
  ({ a, b } = both);
}, 120_000);

afterAll(async () => {
  await both?.close();
  await rx?.stop();
  await smtp?.stop();
});

const emit = (t: TestApp, e: { kind: string }) => t.app.bus.emit(e.kind as never, e as never);
const nodeStopped = (host: string) => emit(a, syntheticServiceEvent({ state: "stopped", host, service: "QlikSenseSchedulerService" }));
const mailsAbout = (causeId: number, what: string) => smtp.mails.filter((m) => (m.mail.subject ?? "").includes(`[${what}: cause #${causeId},`));
const chatAbout = (causeId: number, status: "open" | "closed") =>
  rx.requests
    .filter((r) => r.path === "/chat")
    .filter((r) => {
      const body = JSON.parse(r.body) as { causeId?: number; causeStatus?: string; cause?: { id: number; status: string } };
      return (body.cause?.id ?? body.causeId) === causeId && (body.cause?.status ?? body.causeStatus) === status;
    });
const oncall = () => rx.requests.filter((r) => r.path === "/oncall");

async function openCause(t: TestApp, title: string): Promise<ParentView> {
  return waitFor(async () => ((await (await t.request("/v4/causes?status=open")).json()) as { causes: ParentView[] }).causes.find((c) => c.title === title), {
    what: `the open cause "${title}"`,
  });
}
const causeOn = async (t: TestApp, id: number) => (await (await t.request(`/v4/causes/${id}`)).json()) as ParentView & { status: string };

/** The Acknowledge button of a mail's HTML part, as a browser follows it. */
function acknowledgeLink(html: string): URL {
  const m = /<a href="([^"]+)"[^>]*>Acknowledge<\/a>/.exec(html);
  return new URL(m![1]!.replaceAll("&amp;", "&"));
}

let node: ParentView;
let queue: ParentView;

test("a node's cause acknowledged from its mail on node-a is acknowledged on node-b", async () => {
  await nodeStopped("qlik2.corp.example");
  node = await openCause(b, "Qlik services down on qlik2");
  await emit(a, syntheticWatchdogEvent("scheduler.queue_backlog", { host: "reload01.corp.example" }));
  queue = await openCause(b, "reload queue backed up on reload01");
  const page = await waitFor(() => mailsAbout(node.id, "Open")[0], { what: "the node's page" });
  await waitFor(() => mailsAbout(queue.id, "Open")[0], { what: "the queue's page" });

  const ack = acknowledgeLink(page.mail.html ?? "");
  const done = await a.request(`${ack.pathname}${ack.search}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://webmail.corp.example" },
    body: "",
  });
  expect(done.status).toBe(200);
  expect((await causeOn(b, node.id)).acknowledgedBy).toBe(ANNA);
  expect((await causeOn(b, queue.id)).acknowledgedBy).toBeNull();
  // The link acted once: node-b refuses it too.
  const again = await b.request(`${ack.pathname}${ack.search}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
  expect(again.status).toBe(409);
});

test("only the unacknowledged queue's cause escalates, once; node-b shows the node's escalation stopped", { timeout: wallLimit(20_000) }, async () => {
  await waitFor(() => oncall().length >= 1 || undefined, { what: "the queue's escalation", timeoutMs: wallLimit(15_000) });
  // The node's timer was due as early as the queue's: give it as long again to (wrongly) fire.
  await Bun.sleep(wallLimit(1_500));
  expect(oncall().map((r) => r.headers.get("x-steward-event"))).toEqual(["scheduler.queue_backlog"]);
  type Timer = { toRoute: string; state: string; reason: string | null };
  const timers = async (id: number) => ((await (await b.request(`/v4/escalations?causeId=${id}`)).json()) as { escalations: Timer[] }).escalations;
  expect(await timers(node.id)).toMatchObject([{ toRoute: "night-phone", state: "stopped", reason: `acknowledged by ${ANNA}` }]);
  expect(await timers(queue.id)).toMatchObject([{ toRoute: "night-phone", state: "fired" }]);
});

test("a node's cause holding no incident, resolved on node-b: one follow-up per channel", async () => {
  await nodeStopped("qlik3.corp.example");
  const cause = await openCause(b, "Qlik services down on qlik3");
  await waitFor(() => (mailsAbout(cause.id, "Open").length === 1 && chatAbout(cause.id, "open").length === 1) || undefined, { what: "qlik3's page" });
  const res = await b.request(`/v4/causes/${cause.id}/resolve`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(res.status).toBe(200);
  await waitFor(() => (mailsAbout(cause.id, "Resolved by anonymous").length >= 1 && chatAbout(cause.id, "closed").length >= 1) || undefined, {
    what: "the follow-ups",
  });
  await Bun.sleep(1_500);
  expect([mailsAbout(cause.id, "Resolved by anonymous").length, chatAbout(cause.id, "closed").length]).toEqual([1, 1]);
  expect((await causeOn(a, cause.id)).status).toBe("closed");
});

test("a cause of three failing tasks, resolved on node-b while node-a heard them: one recovered page per channel", async () => {
  for (const n of ["x", "y", "z"]) await emitFailure(a, failedRun(n, { source: "ERP" }));
  const cause = await openCause(b, "connection errors from ERP");
  await waitFor(async () => ((await causeOn(b, cause.id)).stillFailing === 3 ? true : undefined), { what: "three tasks in the cause" });
  await waitFor(() => (mailsAbout(cause.id, "Open").length === 1 && chatAbout(cause.id, "open").length >= 1) || undefined, { what: "the cause's page" });
  const res = await b.request(`/v4/causes/${cause.id}/resolve`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(res.status).toBe(200);
  await waitFor(() => (mailsAbout(cause.id, "Resolved by anonymous").length >= 1 && chatAbout(cause.id, "closed").length >= 1) || undefined, {
    what: "the recovered pages",
  });
  await Bun.sleep(1_500);
  expect([mailsAbout(cause.id, "Resolved by anonymous").length, chatAbout(cause.id, "closed").length]).toEqual([1, 1]);
  const open = ((await (await a.request("/v4/incidents?status=open")).json()) as { incidents: Array<{ title: string }> }).incidents.map((i) => i.title);
  expect(open.filter((t) => ["Load x", "Load y", "Load z"].includes(t))).toEqual([]);
});
