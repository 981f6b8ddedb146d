// Issue 102: the noise report never proposes to silence a real fault. Acting is acting (a snooze, a retry or re-run a
// person asked for, a start by hand count as much as an acknowledgement); a proposal is replayed per route, so a
// fault the on-call route paged must still page there whatever another route posts; one task's noise never yields a
// route-wide pageAfter; and each claim says which channel's posts it saves.
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { actedOnOf } from "../../../../src/show/noise/acted-on";
import { measureNoise } from "../../../../src/show/noise/measure";
import { type ProposalContext, proposeChanges } from "../../../../src/show/noise/propose";
import type { RecordedEvent } from "../../../../src/show/noise/replay";
import { withReplay } from "../../../../src/show/noise/replay-proposal";
import type { NoiseIncident, NoisePage, Proposal } from "../../../../src/show/noise/types";
import type { NotifierConfig } from "../../../../src/tell/notify/config";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 2, 2, 0); // Monday 2 Nov 2026, 02:00

// The on-call person gets Teams and a mail; a second route copies every failure to the business's shared mailbox.
const config = parseConfigText(
  `channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [oncall@corp.example] }
  ops-teams: { type: teams, webhookUrl: "https://teams.corp.example/hook" }
  shared-mail: { type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [bi@corp.example] }
routes:
  - { name: on-call, on: [task.failed, task.recovered], to: [ops-teams, ops-mail] }
  - { name: mailbox, on: [task.failed], to: [shared-mail] }
`,
  "steward.yaml",
  "/tmp",
).config as unknown as NotifierConfig;

function failure(task: string, at: number, incident: number, n: number, user = "INTERNAL\\sa_scheduler"): RecordedEvent {
  const e: TaskEvent = {
    ...syntheticTaskEvent({ outcome: "failed", taskName: task, taskId: `id-${task}`, nowMs: at }),
    source: "udp",
    incident: { id: incident, status: "open", failures: n, openedAt: new Date(at).toISOString(), paged: n > 1 },
  };
  e.history = { ...(e.history ?? {}), startedBy: { kind: user.includes("sa_scheduler") ? "scheduler" : "user", user, text: user } } as TaskEvent["history"];
  return { at, event: e };
}

const closedAlone = (id: number, closedAt: number): NoiseIncident => ({ id, acknowledgedAt: null, closedAt });

const onCallPageAfter: Proposal = {
  id: "page-after-route-on-call-00000000",
  kind: "page-after",
  about: "route on-call",
  title: "Route on-call: page a task after 2 failures within 12h",
  why: "…",
  path: "routes[0].pageAfter",
  yaml: "",
  edit: { op: "set", path: ["routes", 0, "pageAfter"], value: { failures: 2, within: "12h" } },
  live: true,
};
const nightlyPageAfter: Proposal = {
  ...onCallPageAfter,
  id: "page-after-task-nightly-00000000",
  about: "task Nightly",
  path: "incidents.pageAfter",
  edit: { op: "append", path: ["incidents", "pageAfter"], value: { taskIds: ["id-nightly"], failures: 2, within: "12h" } },
  live: false,
};

// Nightly fails at 02:00 four nights and works at its next run (incidents 1–4, each closed by itself); Orders fails
// once on the third night (incident 9): the fault of the window.
const recorded = [...[0, 1, 2, 3].map((d) => failure("Nightly", T0 + d * DAY, d + 1, 1)), failure("Orders", T0 + 2 * DAY + H, 9, 1)];
const noisy = new Map([1, 2, 3, 4].map((id) => [id, closedAlone(id, T0 + (id - 1) * DAY + H)]));
const run = (proposals: Proposal[], incidents: Map<number, NoiseIncident>) =>
  withReplay(proposals, { config, recording: [], recorded, incidents, taskIdOf: (p) => (p.about === "task Nightly" ? "id-nightly" : undefined) });

describe("a proposal is replayed per route", () => {
  test("a fault the on-call route paged and would page no more withdraws the proposal, though the mailbox still posts it", async () => {
    const acknowledged = new Map(noisy).set(9, { id: 9, acknowledgedAt: T0 + 2 * DAY + 2 * H, closedAt: T0 + 2 * DAY + 3 * H });
    expect(await run([onCallPageAfter], acknowledged)).toEqual([]);
  });

  test("a change that keeps every fault paged on every route that paged it stays, saying which channel's posts it saves", async () => {
    const acknowledged = new Map(noisy).set(9, { id: 9, acknowledgedAt: T0 + 2 * DAY + 2 * H, closedAt: T0 + 2 * DAY + 3 * H });
    const [p] = await run([nightlyPageAfter], acknowledged);
    // Each of Nightly's four failures went to Teams and the on-call mail (one route) and to the shared mailbox.
    expect(p?.replay).toEqual({
      pagesBefore: 10,
      pagesAfter: 2,
      saved: 8,
      sourceBefore: 4,
      sourceAfter: 0,
      incidentsUnpaged: 4,
      savedByChannel: [
        { channel: "ops-mail", saved: 4 },
        { channel: "ops-teams", saved: 4 },
        { channel: "shared-mail", saved: 4 },
      ],
    });
    expect(p?.why).toContain("8 of 10 pages saved (this source 4 → 0), saving 4 posts on ops-mail, 4 on ops-teams, 4 on shared-mail;");
  });
});

describe("acting is acting", () => {
  test("a fault a person retried through the link is never hidden, though nobody acknowledged it", async () => {
    const retried = new Map(noisy).set(9, { ...closedAlone(9, T0 + 2 * DAY + 3 * H), actedOn: "retry asked for by anna@corp.example from link" });
    expect(await run([nightlyPageAfter], retried)).toHaveLength(1);
    const onlyOnCall = { ...config, routes: config.routes.slice(0, 1) } as NotifierConfig;
    const kept = await withReplay([onCallPageAfter], { config: onlyOnCall, recording: [], recorded, incidents: retried, taskIdOf: () => undefined });
    expect(kept).toEqual([]);
  });

  test("what counts: a snooze of the incident or its cause, a retry or re-run a person asked for, a start by hand before the recovery", () => {
    const none = { incidentId: 9, causeIds: [4], snoozes: [], actions: [], events: [] };
    expect(actedOnOf(none)).toBeUndefined();
    expect(actedOnOf({ ...none, snoozes: [{ matcher: { incidentIds: [9] }, createdBy: "anna" }] })).toBe("snoozed by anna");
    expect(actedOnOf({ ...none, snoozes: [{ matcher: { causeIds: [4] }, createdBy: "ben" }] })).toBe("snoozed by ben");
    expect(actedOnOf({ ...none, snoozes: [{ matcher: { incidentIds: [8] }, createdBy: "anna" }] })).toBeUndefined();
    expect(actedOnOf({ ...none, actions: [{ kind: "rerun", requestedBy: "anna@corp.example", requestedFrom: "rest" }] })).toBe(
      "rerun asked for by anna@corp.example from rest",
    );
    // A remediation rule's retry is Steward's, not a person's.
    expect(actedOnOf({ ...none, actions: [{ kind: "retry", requestedBy: "rule:lock-retry", requestedFrom: "rule" }] })).toBeUndefined();
    // A person started the task in the QMC after its failure: its second run (failed or not) is a fix tried by hand.
    const byHand = failure("Orders", T0 + 2 * H, 9, 2, "CORP\\anna").event;
    expect(actedOnOf({ ...none, events: [failure("Orders", T0, 9, 1).event, byHand] })).toBe("started by hand by CORP\\anna");
    // A person's start whose run opened the incident is how the fault began.
    expect(actedOnOf({ ...none, events: [failure("Orders", T0, 9, 1, "CORP\\anna").event] })).toBeUndefined();
  });

  test("an incident acted on is not counted as recovered by itself, so it feeds no proposal", () => {
    const pages: NoisePage[] = [0, 1, 2].map((d) => ({
      route: "on-call",
      kind: "task.failed",
      status: "sent",
      at: T0 + d * DAY,
      eventId: `e${d}`,
      subject: "Nightly",
      taskId: "id-nightly",
      taskName: "Nightly",
      incidentId: d + 1,
    }));
    const acted = new Map([1, 2, 3].map((id) => [id, { ...closedAlone(id, T0 + (id - 1) * DAY + H), actedOn: "retry asked for by anna from link" }]));
    const r = measureNoise({
      from: T0 - DAY,
      to: T0 + 6 * DAY,
      zone: "UTC",
      pages,
      incidents: acted,
      retried: [],
      budget: { pagesPerPerson: 8, onCallPeople: 1, actedOnGoal: 0.3 },
      top: 5,
      routePageAfter: new Map(),
    });
    expect(r.tasks[0]).toMatchObject({ pages: 3, recoveredAlone: 0 });
    expect(r.rows[0]!.recoveredAlone).toBe(0);
    expect(proposeChanges(r, ctx)).toEqual([]);
  });
});

const ctx: ProposalContext = {
  routes: [{ name: "on-call", index: 0, on: ["task.failed", "task.aborted"], pageAfter: false }],
  pageAfterTasks: [],
  pageAfterTaskIds: [],
  maintenanceWindows: [],
  freshnessPromises: [],
};

describe("one task's pages never yield a route-wide rule", () => {
  const nightPage = (task: string, d: number, hour: number, incidentId: number): NoisePage => ({
    route: "on-call",
    kind: "task.failed",
    status: "sent",
    at: T0 + d * DAY + hour * H,
    eventId: `${task}-${d}`,
    subject: task,
    taskId: `id-${task.toLowerCase()}`,
    taskName: task,
    incidentId,
  });
  const measure = (pages: NoisePage[]) =>
    measureNoise({
      from: T0 - DAY,
      to: T0 + 6 * DAY,
      zone: "UTC",
      pages,
      incidents: new Map(pages.map((p) => [p.incidentId!, closedAlone(p.incidentId!, p.at + H)])),
      retried: [],
      budget: { pagesPerPerson: 8, onCallPeople: 1, actedOnGoal: 0.3 },
      top: 5,
      routePageAfter: new Map(),
    });

  test("a single noisy task gets its own incidents.pageAfter, not the route's", () => {
    const r = measure([0, 1, 2, 3].map((d) => nightPage("Nightly", d, 0, d + 1)));
    expect(r.routes[0]).toMatchObject({ name: "on-call", pages: 4, noisySources: 1 });
    const kinds = proposeChanges(r, ctx).map((p) => p.id.replace(/-[0-9a-f]{8}$/, ""));
    expect(kinds).toContain("page-after-task-nightly");
    expect(kinds).not.toContain("page-after-route-on-call");
  });

  test("a task with a night someone acted on gets no quiet window, which the replay could not check", () => {
    const pages = [0, 1, 2, 3].map((d) => nightPage("Nightly", d, 2, d + 1));
    const incidents = new Map(pages.map((p) => [p.incidentId!, closedAlone(p.incidentId!, p.at + H)]));
    const at = (acted: Map<number, NoiseIncident>) =>
      proposeChanges(
        measureNoise({
          from: T0 - DAY,
          to: T0 + 6 * DAY,
          zone: "UTC",
          pages,
          incidents: acted,
          retried: [],
          budget: { pagesPerPerson: 8, onCallPeople: 1, actedOnGoal: 0.3 },
          top: 5,
          routePageAfter: new Map(),
        }),
        ctx,
      ).map((p) => p.kind);
    expect(at(incidents)).toContain("quiet-window");
    const oneRetried = new Map(incidents).set(2, { ...incidents.get(2)!, actedOn: "retry asked for by anna from link" });
    expect(at(oneRetried)).not.toContain("quiet-window");
  });

  test("noise from two tasks may yield the route's pageAfter", () => {
    const r = measure([...[0, 1, 2].map((d) => nightPage("Nightly", d, 0, d + 1)), ...[0, 1, 2].map((d) => nightPage("Hourly", d, 12, d + 11))]);
    expect(r.routes[0]).toMatchObject({ pages: 6, noisySources: 2 });
    const route = proposeChanges(r, ctx).find((p) => p.id.startsWith("page-after-route-on-call-"));
    expect(route?.why).toStartWith("6 pages from 2 tasks, 100 % of them ended with nobody acting.");
    expect(route?.path).toBe("routes[0].pageAfter");
    expect(route?.yaml).toBe("# in routes[0]\npageAfter:\n  failures: 2\n  within: 12h");
    expect(route?.live).toBe(true);
  });
});
