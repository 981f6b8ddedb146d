// The task table of /ui/watchdog gives one state per row (issue 74): a task whose last run failed in the simulator
// is "failed last run", never a green "on track" beside a failed last run; every task that is not watched says why
// (disabled in the QMC, StewardWatch=off, a config rule, no trigger, only disabled triggers), also when its state
// says something more urgent first; a limit reads in
// durations, not "the median × …"; nothing is "…: over". GET /v4/watchdog keeps its fields and adds the state.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { startHarness, type Harness } from "../../hear/intake/harness";

const ID = {
  failing: "7552d9fc-d1bb-4975-9a38-18357de531ea",
  fine: "7552d9fc-d1bb-4975-9a38-18357de531eb",
  disabled: "7552d9fc-d1bb-4975-9a38-18357de531ec",
  optedOut: "7552d9fc-d1bb-4975-9a38-18357de531ed",
  byRule: "7552d9fc-d1bb-4975-9a38-18357de531ee",
  noTrigger: "7552d9fc-d1bb-4975-9a38-18357de531ef",
  triggerOff: "7552d9fc-d1bb-4975-9a38-18357de531f0",
  adHocFailed: "7552d9fc-d1bb-4975-9a38-18357de531f1",
};
const daily = (name: string, enabled = true) =>
  `{ type: schema, name: ${name}, enabled: ${enabled}, incrementOption: daily, startDate: "2026-01-01T03:00:00.000", timeZone: UTC }`;
const reload = (id: string, name: string, extra = "") => `  - { id: ${id}, name: ${name}, type: reload, app: Sales dashboard${extra} }`;
const SITE = `
site: { name: Watchdog states site, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
customProperties:
  - { name: StewardWatch, choiceValues: ["off", "on"], objectTypes: [ReloadTask] }
apps:
  - { name: Sales dashboard, owner: INTERNAL\\sa_scheduler }
tasks:
${reload(ID.failing, "Reload Sales", `, scriptError: "Cannot open file: 'lib://Data/orders.qvd'", triggers: [${daily("Nightly sales")}]`)}
${reload(ID.fine, "Reload Budget", `, triggers: [${daily("Nightly budget")}]`)}
${reload(ID.disabled, "Reload Seasonal", `, enabled: false, triggers: [${daily("Nightly seasonal")}]`)}
${reload(ID.optedOut, "Reload Sandbox", `, customProperties: { StewardWatch: "off" }, triggers: [${daily("Nightly sandbox")}]`)}
${reload(ID.byRule, "Reload Archive", `, triggers: [${daily("Nightly archive")}]`)}
${reload(ID.noTrigger, "Reload On demand")}
${reload(ID.triggerOff, "Reload Paused", `, triggers: [${daily("Nightly paused", false)}]`)}
${reload(ID.adHocFailed, "Reload Ad hoc")}
`;

let dir: TempDir;
let h: Harness;

beforeAll(async () => {
  dir = createTempDir("steward-watchdog-states-");
  h = await startHarness({
    dir: dir.path,
    site: SITE,
    extraYaml: "watchdog:\n  interval: 1h\n  rules:\n    - { taskNames: [Reload Archive], watch: false }\n",
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  dir?.remove();
});

const rowOf = (body: string, taskId: string) => {
  const start = body.indexOf(`<tr data-task="${taskId}"`);
  expect(start).toBeGreaterThan(-1);
  return body.slice(start, body.indexOf("</tr>", start));
};
/** The state cell's text (the row's second cell): its badge, then what follows the badge's colon. */
const stateOf = (row: string) => {
  const m = /<span data-state-text="([^"]*)"><span class="badge[^"]*">([^<]*)<\/span>(?:<div class="small">([^<]*)<\/div>)?/.exec(row);
  expect(m).not.toBeNull();
  expect(m![3] ? `${m![2]}: ${m![3]}` : m![2]).toBe(m![1]!);
  return m![1]!;
};

test("one state per row, a failed last run never on track, every not-watched task with its reason", { timeout: 60_000 }, async () => {
  const failed = h.run(ID.failing, "fail");
  await h.eventFor(failed);
  const adHoc = h.run(ID.adHocFailed, "fail");
  await h.eventFor(adHoc);
  const fine = await h.runWhenIdle(ID.fine, "succeed");
  await h.eventFor(fine);
  await h.t.app.watchdog!.look();
  const body = await (await h.t.request("/ui/watchdog")).text();

  const failing = rowOf(body, ID.failing);
  expect(failing).toContain(">failed<"); // the last run's badge
  expect(stateOf(failing)).toBe("failed last run");
  expect(stateOf(rowOf(body, ID.fine))).toBe("on track");
  expect(stateOf(rowOf(body, ID.disabled))).toBe("not watched: the task is disabled in the QMC");
  expect(stateOf(rowOf(body, ID.optedOut))).toBe("not watched: StewardWatch=off on the task");
  expect(stateOf(rowOf(body, ID.byRule))).toBe("not watched: excluded by the config: watchdog.rules[0] says watch: false");
  expect(stateOf(rowOf(body, ID.noTrigger))).toBe("starts not watched: no trigger: it starts only by hand or by a call to QRS");
  expect(stateOf(rowOf(body, ID.triggerOff))).toBe("starts not watched: its only trigger is disabled in the QMC");

  // No contradictory pair anywhere in the table, and no "not watched" without a reason.
  const rows = body.split('<tr data-task="').slice(1);
  expect(rows.length).toBe(8);
  for (const r of rows) {
    const state = stateOf(r);
    if (/>failed</.test(r)) expect(state).not.toBe("on track");
    if (state.includes("not watched")) expect(state).toMatch(/not watched: \S.+/);
  }
  // The "not watched, and why" section lists each of them with the same reason.
  const why = body.slice(body.indexOf('id="not-watched"'));
  const whyOf = (id: string) => {
    const at = why.indexOf(`<tr data-not-watched="${id}">`);
    expect(at).toBeGreaterThan(-1);
    return why.slice(at, why.indexOf("</tr>", at));
  };
  expect(whyOf(ID.disabled)).toContain("the task is disabled in the QMC");
  expect(whyOf(ID.optedOut)).toContain("StewardWatch=off on the task");
  expect(whyOf(ID.byRule)).toContain("watchdog.rules[0] says watch: false");
  expect(whyOf(ID.noTrigger)).toContain("starts not watched: no trigger: it starts only by hand");
  expect(whyOf(ID.triggerOff)).toContain("starts not watched: its only trigger is disabled in the QMC");
  // A task with no trigger whose last run failed: its state says the failure, the section still says its starts are not watched.
  expect(stateOf(rowOf(body, ID.adHocFailed))).toBe("failed last run");
  expect(whyOf(ID.adHocFailed)).toContain("starts not watched: no trigger: it starts only by hand");
  expect(why).not.toContain(`data-not-watched="${ID.fine}"`);
  expect(body).not.toContain(": over");
  expect(body).not.toContain("median ×");

  // The REST answer adds the state; the fields it had stay.
  const json = (await (await h.t.request("/v4/watchdog")).json()) as { tasks: Array<Record<string, unknown>> };
  const of = (id: string) => json.tasks.find((t) => t.id === id)!;
  expect(of(ID.failing)).toMatchObject({ state: "failed-last-run", stateText: "failed last run", stateReason: null, watched: true, lastStatus: 8 });
  expect(of(ID.disabled)).toMatchObject({ state: "not-watched", watched: false, notWatchedReason: "the task is disabled in the QMC", nextExpectedAt: null });
  expect(of(ID.optedOut).nextExpectedAt).toBeString(); // the Scheduler still starts it: only Steward does not judge it
  expect(of(ID.noTrigger)).toMatchObject({ startsNotWatched: "no trigger: it starts only by hand or by a call to QRS" });
  expect(of(ID.fine)).toMatchObject({ startsNotWatched: null });
  expect(of(ID.triggerOff)).toMatchObject({ state: "starts-not-watched", disabledTriggers: 1, stateReason: "its only trigger is disabled in the QMC" });
  for (const key of ["notWatched", "triggers", "nextExpectedAt", "usualMs", "limitMs", "limitBasis", "samples", "runningSince", "lastRunAt", "afterTasks"])
    expect(Object.keys(of(ID.fine))).toContain(key);
});
