// Issue 64: what the on-call phone does on real nights. The rich site runs ten (or 14) simulated days with the route that
// docs/watchdog.md shows ("Setting it up") and every other setting at its default (no grouping, watchdog or runningLong
// keys at all), with the faults of test/helpers/real-night-faults.ts. Per fault: at most one page that opens it and one
// that says it is over, the first within one look plus grace of when Steward could know, naming the right cause; no
// page that no fault explains; no follow-up (task.on_track) for a page the channel did not get.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { pagesOfFault, realNightFaults, realNightVariations } from "../../../helpers/real-night-faults";
import { richCloudTasks, richSiteTasks } from "../../../helpers/rich-site";
import { closeRichRun, DAY, RICH_SITE_START as START, type RichRun, runRichSite } from "../../../helpers/rich-site-run";
import { createTempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";

// Ten days in the suite (every fault, the clock change, the month's first working day); REAL_NIGHT_DAYS=14 runs the
// two weeks of the issue (same pages: nothing is injected after the first week).
const DAYS = Number(process.env.REAL_NIGHT_DAYS ?? 10);
const LOOK_MS = 5 * 60_000;
const GRACE_MS = 5 * 60_000;
const TASKS = richSiteTasks();
const dir = createTempDir();
let run: RichRun | undefined;
afterAll(async () => {
  if (run) await closeRichRun(run);
  dir.remove();
});

const RECOVERIES = new Set(["task.on_track", "task.recovered", "service.started", "app.freshness_recovered"]);

test(
  `real nights, ${DAYS} simulated days on the documented watchdog route with every default: one page per cause`,
  async () => {
    const faults = realNightFaults(TASKS).filter((f) => f.explainsUntil < START + DAYS * DAY);
    const variations = realNightVariations(TASKS, START, DAYS);
    run = await runRichSite({
      dir: join(dir.path, "night"),
      days: DAYS,
      faults: [...faults, ...variations],
      look: "5m",
      // As docs/watchdog.md sets it up (the look every five simulated minutes, as the rich scenario runs it).
      stewardYaml: (sim, rxUrl) =>
        `${qlikYaml(sim)}watchdog:\n  interval: 5m\nchannels:\n  ops: { type: webhook, url: "${rxUrl}/hook" }\nroutes:\n` +
        "  - name: what-did-not-happen\n    on: [task.missed, task.chain_broken, task.running_long, app.stale, task.disabled, task.on_track]\n    to: [ops]\n",
    });
    const pages = run.pages();
    const appOf = new Map([...TASKS, ...richCloudTasks()].map((x) => [x.name, x.app]));
    const at = (ms: number) => new Date(ms).toISOString().slice(5, 16);
    const line = (p: (typeof pages)[number]) =>
      `${at(p.at)} ${p.kind} ${p.task ?? p.app ?? ""}${p.causeTitle ? ` [${p.causeStatus}: ${p.causeTitle}${p.update ? ", update" : ""}]` : ""}` +
      (p.didNotRun ? ` did not run: ${p.didNotRun.join(", ")}` : "") +
      (p.causeApps && p.causeStatus === "open" ? ` apps: ${p.causeApps.length}` : "");
    console.log(`${pages.length} pages:\n${pages.map(line).join("\n")}`);
    console.log(`watchdog events raised meanwhile: ${run.events.length}`);

    const rows = faults.map((f) => {
      const mine = pagesOfFault(f, pages, appOf);
      const opening = mine.filter((p) => !RECOVERIES.has(p.kind) && p.causeStatus !== "closed");
      const first = mine[0];
      return {
        fault: f.name,
        pages: mine.length,
        opening: opening.length,
        recovered: mine.length - opening.length,
        firstAfterMin: first ? Math.round((first.at - f.knowableAt) / 60_000) : null,
        namesCause: opening.every((p) => p.causeTitle !== undefined && f.cause.test(p.causeTitle)),
        lines: mine.map(line).join(" | "),
      };
    });
    console.table(rows.map(({ lines: _, ...r }) => r));
    for (const r of rows) {
      expect({ fault: r.fault, pages: r.pages <= 2, opening: r.opening, namesCause: r.namesCause, lines: r.lines }).toEqual({
        fault: r.fault,
        pages: true,
        opening: 1,
        namesCause: true,
        lines: r.lines,
      });
      expect({ fault: r.fault, late: (r.firstAfterMin ?? 1e9) * 60_000 > LOOK_MS + GRACE_MS }).toEqual({ fault: r.fault, late: false });
    }
    // No page that no fault explains.
    const explained = new Set(faults.flatMap((f) => pagesOfFault(f, pages, appOf)));
    expect(pages.filter((p) => !explained.has(p)).map(line)).toEqual([]);
    // No follow-up for a page the channel did not get: each task.on_track closes a condition whose opening it received
    // (one that carries a cause's end is that cause's recovered page, counted above).
    const opened = new Set(pages.filter((p) => p.kind !== "task.on_track" && p.condition).map((p) => p.condition));
    const followUps = pages.filter((p) => p.kind === "task.on_track" && p.causeStatus !== "closed");
    expect(followUps.filter((p) => !p.condition || !opened.has(p.condition)).map(line)).toEqual([]);
    // Saturday's chain break of Model 10 is the node's, not Friday's failure's (the cause's symptoms say so).
    const causes = (await (await run.t.request("/v4/causes?limit=100")).json()) as { causes: Array<{ id: number; title: string }> };
    const holders: string[] = [];
    for (const c of causes.causes) {
      const one = (await (await run.t.request(`/v4/causes/${c.id}`)).json()) as { symptoms?: Array<{ kind: string; task: string | null }> };
      if ((one.symptoms ?? []).some((s) => s.kind === "task.chain_broken" && s.task === "Model 10")) holders.push(c.title);
    }
    // (Model 10 runs on Reload02: Tuesday's outage broke its chain too.)
    expect([...new Set(holders)]).toEqual(["Qlik services down on sense3"]);
  },
  wallLimit(1_500_000),
);
