// A cause's page can be acted on whatever its kind (issue 74): the page of a node down (a service stopped) and of a
// Scheduler queue backed up, which hold no task incident of their own, carry Acknowledge and Snooze links naming the
// cause. Pressed from the mail the SMTP server received (from another origin, as a webmail's browser may post), the
// Acknowledge acknowledges the cause and the task incident it holds; the cause's page escalates when nobody
// acknowledged it and not when someone did; a cause's Snooze holds its further pages and moves its escalation.
// One Steward, SQLite, manual clock, a real SMTP receiver and a webhook receiver for the night phone.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticServiceEvent, syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../notify/receivers";

const MIN = 60_000;
const BASE = "https://steward.corp.example";
const ANNA = "anna@corp.example";
let smtp: SmtpReceiver;
let rx: HttpReceiver;
let dir: TempDir;
let clock: ManualClock;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  rx = startHttpReceiver();
  dir = createTempDir();
  clock = createManualClock(Date.parse("2026-11-26T01:00:00Z"));
  t = createTestApp(
    `channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }
    from: steward@corp.example
    to: [${ANNA}]
  oncall: { type: webhook, url: "${rx.url}/oncall" }
grouping: { updates: { every: 15m } }
routes:
  - name: ops
    on: [service.stopped, service.started, scheduler.queue_backlog, task.on_track, task.failed, task.recovered]
    to: [mail]
    escalate: { after: 30m, to: night-phone }
  - { name: night-phone, on: [service.stopped, scheduler.queue_backlog, task.failed], to: [oncall] }
actionLinks: { publicBaseUrl: "${BASE}" }
`,
    { clock, dir: dir.path },
  );
  await t.app.start();
});

afterAll(async () => {
  await t?.app.stop();
  dir?.remove();
  await rx?.stop();
  await smtp?.stop();
});

const emit = (e: { kind: string }) => t.app.bus.emit(e.kind as never, e as never);
const nodeStopped = (host: string) => emit(syntheticServiceEvent({ state: "stopped", host, service: "QlikSenseSchedulerService", nowMs: clock.now() }));

/** A run failing on `host`, as heard from the Scheduler: it opens the task's incident. */
async function failOn(host: string, i: number): Promise<TaskEvent> {
  const e: TaskEvent = {
    ...syntheticTaskEvent({ outcome: "failed", host, taskName: `Reload ${i}`, taskId: `task-${i}`, nowMs: clock.now() }),
    source: "udp",
  };
  const out = await t.app.incidents!.annotate(e);
  for (const x of out) await emit(x);
  return out[0]!;
}

const openCause = async (title: string): Promise<ParentView> => {
  const { causes } = (await (await t.request("/v4/causes?status=open")).json()) as { causes: ParentView[] };
  const found = causes.find((c) => c.title === title);
  if (!found) throw new Error(`no open cause "${title}" among ${causes.map((c) => c.title).join(", ")}`);
  return found;
};

/** The mail whose subject names the cause's page ("[Open: cause #3, …]"). */
const pageOf = (causeId: number, what = "Open") => smtp.mails.find((m) => (m.mail.subject ?? "").includes(`[${what}: cause #${causeId},`));

/** The links of a mail's HTML part, as a browser would follow them (entities decoded), by their text. */
function buttonsOf(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)) out.set(m[2]!, m[1]!.replaceAll("&amp;", "&").replaceAll("&#38;", "&"));
  return out;
}

/** A browser's POST of the confirmation page's form, from an origin that is not Steward's own (a webmail's). */
const confirm = (url: string, form: Record<string, string> = {}, origin = "https://webmail.corp.example") =>
  Promise.resolve(
    t.app.http.hono.request(
      `http://127.0.0.1:8080${new URL(url).pathname}${new URL(url).search}`,
      { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin }, body: new URLSearchParams(form).toString() },
      { remoteAddress: "127.0.0.1" },
    ),
  );

let node: ParentView;
let queue: ParentView;

test("the node-down page and the queue backlog page carry Acknowledge and Snooze links naming their cause", async () => {
  await nodeStopped("qlik2.corp.example");
  await waitFor(() => smtp.mails.length >= 1 || undefined, { what: "the node's page" });
  node = await openCause("Qlik services down on qlik2");
  await emit(syntheticWatchdogEvent("scheduler.queue_backlog", { host: "reload01.corp.example", nowMs: clock.now() }));
  await waitFor(() => smtp.mails.length >= 2 || undefined, { what: "the queue's page" });
  queue = await openCause("reload queue backed up on reload01");
  for (const cause of [node, queue]) {
    const mail = pageOf(cause.id);
    expect(mail?.envelopeTo).toEqual([ANNA]);
    const buttons = buttonsOf(mail!.mail.html ?? "");
    for (const [text, action] of [
      ["Acknowledge", "ack"],
      ["Snooze", "snooze"],
    ] as const) {
      const url = new URL(buttons.get(text) ?? "about:blank");
      expect([text, url.origin, url.pathname, url.searchParams.get("a"), url.searchParams.get("r")]).toEqual([
        text,
        BASE,
        `/act/cause/${cause.id}`,
        action,
        ANNA,
      ]);
      // The text part carries the same link.
      expect(mail!.mail.text).toContain(`${text}: ${url.href}`);
    }
  }
});

test("Acknowledge pressed from the mail acknowledges the node's cause and the task incident it holds; nothing else rides on the origin", async () => {
  const held = await failOn("qlik2.corp.example", 9);
  expect(held.incident?.status).toBe("open");
  await waitFor(async () => ((await openCause(node.title)).affected.tasks.includes("Reload 9") ? true : undefined), {
    what: "the failure held by the node's cause",
  });
  const ack = buttonsOf(pageOf(node.id)!.mail.html ?? "").get("Acknowledge")!;
  // A mail scanner's GET shows the page and does not act.
  const page = await t.request(`${new URL(ack).pathname}${new URL(ack).search}`);
  const body = await page.text();
  expect([page.status, body.includes(`Cause #${node.id}`), body.includes("Qlik services down on qlik2")]).toEqual([200, true, true]);
  expect((await openCause(node.title)).acknowledgedAt).toBeNull();

  const done = await confirm(ack);
  const result = await done.text();
  expect([done.status, result]).toEqual([200, expect.stringContaining(`Cause #${node.id} (Qlik services down on qlik2) is acknowledged by ${ANNA}`)]);
  expect(result).toContain(`<a href="/ui/causes#cause-${node.id}">Open cause #${node.id} on the Causes page</a>`);
  expect(await confirm(ack).then((r) => r.status)).toBe(409); // a link acts once

  expect((await openCause(node.title)).acknowledgedBy).toBe(ANNA);
  const { causes: groups } = (await (await t.request("/v4/incidents/by-cause")).json()) as {
    causes: Array<{ cause: { id: number; acknowledgedBy: string | null } | null; incidents: Array<{ id: number; acknowledgedBy: string | null }> }>;
  };
  const group = groups.find((g) => g.cause?.id === node.id);
  expect(group?.cause?.acknowledgedBy).toBe(ANNA);
  // The held failure's incident, and the stopped service's own (issue 84): every incident of the cause acknowledged.
  expect(group?.incidents.map((i) => i.id)).toContain(held.incident!.id);
  expect(group?.incidents.map((i) => i.acknowledgedBy)).toEqual(group!.incidents.map(() => ANNA));
  expect(group?.incidents).toHaveLength(2);
  // The queue's cause is another incident: untouched.
  expect((await openCause(queue.title)).acknowledgedAt).toBeNull();
  expect(await t.app.audit.query({ action: "cause.acknowledge" })).toMatchObject([
    { target: String(node.id), result: "ok", actor: { kind: "link", name: ANNA } },
  ]);
  // The same origin posting to the API is still refused by the browser guard.
  const api = await confirm(`${BASE}/v4/causes/${queue.id}/acknowledge`, {});
  expect(api.status).toBe(403);
  expect((await openCause(queue.title)).acknowledgedAt).toBeNull();
});

test("a cause's page not acknowledged in 30 minutes escalates once; the acknowledged one does not", async () => {
  await clock.advance(31 * MIN);
  await waitFor(() => rx.requests.filter((r) => r.path === "/oncall").length >= 1 || undefined, { what: "the escalation" });
  await Bun.sleep(300);
  const sent = rx.requests.filter((r) => r.path === "/oncall").map((r) => r.headers.get("x-steward-event"));
  expect(sent).toEqual(["scheduler.queue_backlog"]);
  type Timer = { causeId: number | null; incidentId: number | null; toRoute: string; state: string; reason: string | null };
  const timers = async (id: number) => ((await (await t.request(`/v4/escalations?causeId=${id}`)).json()) as { escalations: Timer[] }).escalations;
  expect(await timers(queue.id)).toMatchObject([{ causeId: queue.id, incidentId: null, toRoute: "night-phone", state: "fired" }]);
  expect(await timers(node.id)).toMatchObject([{ causeId: node.id, toRoute: "night-phone", state: "stopped", reason: `acknowledged by ${ANNA}` }]);
});

test("Snooze pressed from a cause's mail holds its further pages and moves its escalation to the snooze's end; another cause's update goes", async () => {
  await nodeStopped("qlik3.corp.example");
  await nodeStopped("qlik4.corp.example");
  await waitFor(async () => (smtp.mails.length >= 4 ? true : undefined), { what: "the pages of qlik3 and qlik4" });
  const snoozed = await openCause("Qlik services down on qlik3");
  const other = await openCause("Qlik services down on qlik4");
  const snooze = buttonsOf(pageOf(snoozed.id)!.mail.html ?? "").get("Snooze")!;
  const page = await (await t.request(`${new URL(snooze).pathname}${new URL(snooze).search}`)).text();
  expect(page).toContain('value="1h"');
  const done = await confirm(snooze, { choice: "1h" });
  expect([done.status, await done.text()]).toEqual([200, expect.stringContaining(`Cause #${snoozed.id} (Qlik services down on qlik3) is snoozed for 1h`)]);
  const { silences } = (await (await t.request("/v4/silences?state=active")).json()) as { silences: Array<{ id: number; matcher: unknown; author: string }> };
  expect(silences).toMatchObject([{ matcher: { causeIds: [snoozed.id] }, author: ANNA }]);
  const [timer] = ((await (await t.request(`/v4/escalations?causeId=${snoozed.id}`)).json()) as { escalations: Array<{ dueAt: string; state: string }> })
    .escalations;
  expect(timer).toMatchObject({ state: "pending", dueAt: new Date(clock.now() + 60 * MIN).toISOString() });

  // 16 minutes on, a run fails on each node: each cause's update is due; the snoozed one is held.
  await clock.advance(16 * MIN);
  await failOn("qlik3.corp.example", 31);
  await failOn("qlik4.corp.example", 41);
  await waitFor(() => pageOf(other.id, "Update") ?? undefined, { what: "qlik4's update" });
  await Bun.sleep(500);
  expect(pageOf(snoozed.id, "Update")).toBeUndefined();
  const held = (await (await t.request(`/v4/silences/${silences[0]!.id}`)).json()) as { suppressed: Array<{ kind: string }> };
  expect(held.suppressed.map((h) => h.kind)).toEqual(["task.failed"]);
});

test("with incidents off (incidents.enabled: false) a cause's Acknowledge still acknowledges the cause", async () => {
  const own = createTestApp(`incidents: { enabled: false }
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }
    from: steward@corp.example
    to: [bob@corp.example]
routes:
  - { on: [service.stopped], to: [mail] }
actionLinks: { publicBaseUrl: "${BASE}" }
`);
  try {
    await own.app.start();
    await own.app.bus.emit("service.stopped", syntheticServiceEvent({ state: "stopped", host: "qlik9.corp.example", service: "QlikSenseSchedulerService" }));
    const mail = await waitFor(() => smtp.mails.find((m) => m.envelopeTo[0] === "bob@corp.example"), { what: "qlik9's page" });
    const ack = new URL(buttonsOf(mail.mail.html ?? "").get("Acknowledge")!);
    const done = await own.request(`${ack.pathname}${ack.search}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect([done.status, await done.text()]).toEqual([200, expect.stringContaining("(Qlik services down on qlik9) is acknowledged by bob@corp.example")]);
    const { causes } = (await (await own.request("/v4/causes?status=open")).json()) as { causes: ParentView[] };
    expect(causes.map((c) => [c.title, c.acknowledgedBy])).toEqual([["Qlik services down on qlik9", "bob@corp.example"]]);
  } finally {
    await own.close();
  }
});
