// A proposal's pages saved, computed by replaying the window (issue 88): recorded events run again through the
// notifier's own decisions with the config in force and with the change. A nightly task that fails and recovers by
// itself loses its pages under a pageAfter, and a fault of the same window (a second failure within the hour) still
// pages; a task failing five nights running (one lasting incident, paged each night by renotify: every) is never
// hidden: the pageAfter that would hold each of its nights is withdrawn, and renotify: once keeps its first page.
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { withReplay } from "../../../../src/show/noise/replay-proposal";
import type { RecordedEvent } from "../../../../src/show/noise/replay";
import type { NoiseIncident, Proposal } from "../../../../src/show/noise/types";
import type { NotifierConfig } from "../../../../src/tell/notify/config";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 2, 2, 0); // Monday 2 Nov 2026, 02:00

const config = parseConfigText(
  `channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { name: on-call, on: [task.failed, task.recovered], to: [mail], renotify: every }
`,
  "steward.yaml",
  "/tmp",
).config as unknown as NotifierConfig;

/** A failure of `task` at `at`, the `n`th of incident `incident`. */
function failure(task: string, at: number, incident: number, n: number): RecordedEvent {
  const e: TaskEvent = {
    ...syntheticTaskEvent({ outcome: "failed", taskName: task, taskId: `id-${task}`, nowMs: at }),
    source: "udp",
    incident: { id: incident, status: "open", failures: n, openedAt: new Date(at).toISOString(), paged: n > 1 },
  };
  return { at, event: e };
}

const closedAlone = (id: number, closedAt: number): NoiseIncident => ({ id, acknowledgedAt: null, closedAt });

const routePageAfter: Proposal = {
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
const renotifyOnce: Proposal = {
  ...routePageAfter,
  id: "renotify-once-route-on-call-00000000",
  kind: "renotify-once",
  edit: { op: "set", path: ["routes", 0, "renotify"], value: "once" },
};
const taskPageAfter = (taskId: string): Proposal => ({
  ...routePageAfter,
  id: "page-after-task-x-00000000",
  about: "task Nightly",
  path: "incidents.pageAfter",
  edit: { op: "append", path: ["incidents", "pageAfter"], value: { taskIds: [taskId], failures: 2, within: "12h" } },
  live: false,
});

describe("a noisy nightly task and a real fault in the same window", () => {
  // Nightly fails at 02:00 and works at its next run, four nights (incidents 1–4, each closed by itself); Orders
  // fails at 02:00 and again at 02:30 on the third night (incident 9, closed when someone fixed it).
  const recorded = [
    ...[0, 1, 2, 3].map((d) => failure("Nightly", T0 + d * DAY, d + 1, 1)),
    failure("Orders", T0 + 2 * DAY, 9, 1),
    failure("Orders", T0 + 2 * DAY + 30 * 60_000, 9, 2),
  ];
  const incidents = new Map([1, 2, 3, 4].map((id) => [id, closedAlone(id, T0 + (id - 1) * DAY + H)]));
  incidents.set(9, closedAlone(9, T0 + 2 * DAY + 2 * H));

  test("the task's pageAfter, replayed, saves its four pages; the fault still pages", async () => {
    const [p] = await withReplay([taskPageAfter("id-nightly")], { config, recording: [], recorded, incidents, taskIdOf: () => "id-nightly" });
    expect(p?.replay).toEqual({
      pagesBefore: 6,
      pagesAfter: 2,
      saved: 4,
      sourceBefore: 4,
      sourceAfter: 0,
      incidentsUnpaged: 4,
      savedByChannel: [{ channel: "mail", saved: 4 }],
    });
    expect(p?.why).toContain("Replayed over the window with the change: 4 of 6 pages saved (this source 4 → 0)");
  });

  test("a change that, replayed, saves no page is not proposed", async () => {
    // Each noisy incident paged once and the fault's second failure is its only repeat: renotify: once saves one page;
    // without the fault's repeat it would save none.
    const once = await withReplay([renotifyOnce], { config, recording: [], recorded, incidents, taskIdOf: () => undefined });
    expect(once[0]?.replay?.saved).toBe(1);
    const noRepeat = recorded.slice(0, 5);
    expect(await withReplay([renotifyOnce], { config, recording: [], recorded: noRepeat, incidents, taskIdOf: () => undefined })).toEqual([]);
  });

  test("the route's pageAfter, replayed: the fault's second failure within the hour reaches it and pages", async () => {
    const [p] = await withReplay([routePageAfter], { config, recording: [], recorded, incidents, taskIdOf: () => undefined });
    // Nightly's four pages and Orders' first failure are held; its second, 30 minutes later, pages.
    expect(p?.replay).toEqual({
      pagesBefore: 6,
      pagesAfter: 1,
      saved: 5,
      sourceBefore: 6,
      sourceAfter: 1,
      incidentsUnpaged: 4,
      savedByChannel: [{ channel: "mail", saved: 5 }],
    });
  });
});

describe("repeated pages that are all a real fault", () => {
  // QVD 04 fails five nights running: one incident (failed again before it recovered), paged each night.
  const recorded = [0, 1, 2, 3, 4].map((d) => failure("QVD 04", T0 + d * DAY, 7, d + 1));
  const incidents = new Map([[7, closedAlone(7, T0 + 5 * DAY)]]);

  test("a pageAfter that would hold each of its nights is withdrawn; renotify: once pages it once", async () => {
    const kept = await withReplay([routePageAfter, taskPageAfter("id-qvd 04"), renotifyOnce], {
      config,
      recording: [],
      recorded,
      incidents,
      taskIdOf: () => "id-qvd 04",
    });
    expect(kept.map((p) => p.kind)).toEqual(["renotify-once"]);
    expect(kept[0]?.replay).toEqual({
      pagesBefore: 5,
      pagesAfter: 1,
      saved: 4,
      sourceBefore: 5,
      sourceAfter: 1,
      incidentsUnpaged: 0,
      savedByChannel: [{ channel: "mail", saved: 4 }],
    });
    expect(kept[0]?.why).toContain("every incident still pages");
  });

  test("an acknowledged incident is a fault too, however it ended", async () => {
    const night = [failure("Nightly", T0, 1, 1)];
    const acked = new Map([[1, { id: 1, acknowledgedAt: T0 + H, closedAt: T0 + 2 * H }]]);
    expect(await withReplay([routePageAfter], { config, recording: [], recorded: night, incidents: acked, taskIdOf: () => undefined })).toEqual([]);
  });
});
