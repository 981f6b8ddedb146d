// Issue 101: a re-run covers its cause, not a moment. On the simulator and a stepped clock shared with Steward, node
// Reload01 runs two reloads at once (queue timeout 30 minutes); two 67-minute loads take both engines at 02:00. Qlik
// cancels Extract orders and Transform orders (its chain's next) at 02:30, Load stock 10 minutes later (02:40) and
// Load finance 35 minutes later (03:05), when the queue is empty and the queue's cause closes. Twice:
// - pressed while backed up: a person asks at 02:32 (REST); the two later cancellations join that re-run. All four
//   run again once, in chain order then by when each was cancelled. The backlog mail's unused link, opened after all
//   ran, says nothing is left to re-run (and what ran) instead of "Already recovered";
// - pressed after the cause closed: the backlog mail's *Re-run the cancelled runs* link, opened at 03:08, asks to
//   confirm (not "Already recovered"), the Causes page and REST still offer it, and its real POST re-runs all four.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { after, at, daily, MIN, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { startSmtpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";

const BASE = "https://steward.corp.example";
const ANNA = "anna@corp.example";
/** In the order a re-run starts them: chain order (Transform orders after Extract orders), then by cancellation. */
const ORDER = ["Extract orders", "Transform orders", "Load stock", "Load finance"];
const SITE = reloadQueueSiteYaml({
  name: "Queue re-run covers its cause",
  engines: 2,
  engineTimeout: 30,
  apps: ["Long A", "Long B", ...ORDER],
  tasks: [
    reloadTask("Long A", 67, [daily("02:00")]),
    reloadTask("Long B", 67, [daily("02:00")]),
    reloadTask("Extract orders", 5, [daily("02:00")]),
    reloadTask("Transform orders", 5, [daily("02:00"), after("Extract orders")]),
    reloadTask("Load stock", 5, [daily("02:10")]),
    reloadTask("Load finance", 5, [daily("02:35")]),
  ],
});

interface Action {
  id: number;
  taskName: string;
  status: string;
  outcome: string | null;
  requestedBy: string;
  startedAt: string | null;
  endedAt: string | null;
}

/** The links of a mail's HTML part, as a browser follows them (entities decoded), by their text. */
function buttonsOf(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)) out.set(m[2]!, m[1]!.replaceAll("&amp;", "&").replaceAll("&#38;", "&"));
  return out;
}

for (const mode of ["pressed while backed up", "pressed after the cause closed"] as const) {
  describe(`a re-run of the queue's cause (${mode})`, () => {
    const dir = createTempDir("steward-rerun-covers-");
    let s: SteppedSite | undefined;
    let t: TestApp | undefined;
    let smtp: SmtpReceiver;
    let events: SiteSteward["events"] = [];
    let causeId = 0;
    let rerunLink = "";
    let closedAt = 0;
    /** What the link, REST and the Causes page said right after the cause closed (before the late press). */
    const afterClose = { linkPage: "", linkStatus: 0, left: [] as string[], causesPage: "", answer: "", answerStatus: 0 };

    afterAll(async () => {
      await closeAll(t, s?.sim, dir);
      await smtp?.stop();
    });

    const get = (url: string) => t!.request(`${new URL(url).pathname}${new URL(url).search}`);
    /** A browser's POST of the link's confirmation page. */
    const confirm = (url: string) =>
      Promise.resolve(
        t!.app.http.hono.request(
          `http://127.0.0.1:8080${new URL(url).pathname}${new URL(url).search}`,
          { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE }, body: "confirm=rerun" },
          { remoteAddress: "127.0.0.1" },
        ),
      );
    const actionsOfCause = async () =>
      (await (await t!.request(`/v4/causes/${causeId}/actions`)).json()) as { actions: Action[]; left: Array<{ taskName: string }> };

    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      s = await startSteppedSite(dir.path, at("01:30"), SITE);
      const { clock } = s;
      ({ t, events } = await startStewardOnSite(
        s,
        dir.path,
        // Updates every 20 minutes: Load finance, a task the backlog's page (02:15) did not name, carries one at 03:05.
        `${QUIET_LOOKS.replace("grouping:\n", "grouping:\n  updates: { every: 20m }\n")}channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }
    from: steward@corp.example
    to: [${ANNA}]
routes:
  - { on: [scheduler.queue_backlog, task.on_track, task.failed, task.recovered], to: [mail] }
actionLinks: { publicBaseUrl: "${BASE}" }
`,
        at("01:30"),
      ));
      await clock.runUntil(at("02:32"));
      const { causes } = (await (await t.request("/v4/causes")).json()) as { causes: Array<{ id: number; title: string }> };
      causeId = causes.find((c) => c.title === "reload queue backed up on reload01")?.id ?? 0;
      const page = smtp.mails.find((m) => (m.mail.subject ?? "").includes(`[Open: cause #${causeId},`));
      rerunLink = buttonsOf(page?.mail.html ?? "").get("Re-run the cancelled runs") ?? "";
      if (mode === "pressed while backed up") {
        const res = await t.request(`/v4/causes/${causeId}/rerun-cancelled`, { method: "POST" });
        if (res.status !== 202) throw new Error(`the re-run was refused: ${res.status} ${await res.text()}`);
      }
      while (clock.now() < at("03:30") && !events.some((x) => x.e.kind === "task.on_track")) await clock.runUntil(clock.now() + MIN);
      closedAt = clock.now();
      if (mode === "pressed after the cause closed") {
        await clock.runUntil(at("03:08"));
        const page = await get(rerunLink);
        afterClose.linkStatus = page.status;
        afterClose.linkPage = await page.text();
        afterClose.left = (await actionsOfCause()).left.map((x) => x.taskName);
        afterClose.causesPage = await (await t.request("/ui/causes", { headers: { accept: "text/html" } })).text();
        const done = await confirm(rerunLink);
        afterClose.answerStatus = done.status;
        afterClose.answer = await done.text();
      }
      await clock.runUntil(at("04:30"));
    }, 240_000);

    const runsAfter = (name: string, from: number) => s!.finished.filter((r) => r.task === name && r.startMs >= from);

    test("the night: Qlik cancelled two runs at 02:30, one at 02:40 and one at 03:05; the cause closed as the queue emptied", () => {
      // Qlik's Scheduler ends a cancelled run at its next tick, a second or two past the minute.
      const cancelled = (name: string) => Math.floor((s!.finished.find((r) => r.task === name && r.status === 8)?.stopMs ?? 0) / MIN) * MIN;
      expect(ORDER.map(cancelled)).toEqual([at("02:30"), at("02:30"), at("02:40"), at("03:05")]);
      expect(closedAt).toBeGreaterThanOrEqual(at("03:05"));
      expect(closedAt).toBeLessThan(at("03:08"));
    });

    test("all four ran again once each; Steward started them one after another, in chain order then by when each was cancelled", async () => {
      const from = mode === "pressed while backed up" ? at("03:05") : at("03:08");
      expect(ORDER.map((n) => runsAfter(n, from).map((x) => x.status))).toEqual([[7], [7], [7], [7]]);
      // Transform orders runs after Extract orders: its chain's trigger starts it (its action is then skipped).
      expect(runsAfter("Transform orders", from)[0]!.startMs).toBeGreaterThanOrEqual(runsAfter("Extract orders", from)[0]!.stopMs);
      const { actions, left } = await actionsOfCause();
      // Asked at the press: Extract orders, then Transform orders (its chain's next); those cancelled later join after
      // them. Asked after the close, all four at once: the chain's heads by when each was cancelled, then Transform orders.
      const expected = mode === "pressed while backed up" ? ORDER : ["Extract orders", "Load stock", "Load finance", "Transform orders"];
      expect(actions.map((a) => a.taskName)).toEqual(expected);
      expect(actions.every((a) => (a.status === "ended" && a.outcome === "succeeded") || a.status === "skipped")).toBe(true);
      const started = actions.filter((a) => a.status === "ended");
      expect(started.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < started.length; i++) expect(Date.parse(started[i]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(started[i - 1]!.endedAt!));
      expect(left).toEqual([]);
    });

    if (mode === "pressed while backed up") {
      test("the runs cancelled 10 and 35 minutes after the press joined it, asked by the same person, once each", async () => {
        const { actions } = await actionsOfCause();
        expect(new Set(actions.map((a) => a.requestedBy)).size).toBe(1);
        const { entries } = (await (await t!.request("/v4/audit?action=remediation.request")).json()) as {
          entries: Array<{ target: string; details?: { from?: string; order?: Array<{ taskName: string }> } }>;
        };
        const joins = entries.filter((x) => x.details?.from === "join").flatMap((x) => x.details?.order?.map((o) => o.taskName) ?? []);
        expect(joins.sort()).toEqual(["Load finance", "Load stock"]);
      });

      test("the cause's update at 03:05 says the new cancellation joins the re-run asked at 02:32, and offers the re-run again", () => {
        const update = smtp.mails.find((m) => (m.mail.subject ?? "").includes(`[Update: cause #${causeId},`));
        expect(update?.mail.subject).toContain("Load finance");
        expect(update?.mail.text).toContain("The runs cancelled since join the re-run of the cancelled runs asked by anonymous at 2026-03-03 02:32");
        expect(buttonsOf(update?.mail.html ?? "").get("Re-run the cancelled runs")).toContain(`/act/cause/${causeId}`);
      });

      test("the backlog mail's link, opened after every run ran again, says nothing is left to re-run and what ran", async () => {
        const page = await get(rerunLink);
        const body = await page.text();
        expect(page.status).toBe(200);
        expect(body).toContain("Nothing left to re-run");
        expect(body).not.toContain("Already recovered");
        expect(body).toContain("Load finance: re-run asked by");
        const done = await confirm(rerunLink);
        expect(await done.text()).toContain("Nothing left to re-run");
      });
    } else {
      test("after the cause closed, the link asks to confirm and REST and the Causes page still offer the re-run", () => {
        expect(afterClose.linkStatus).toBe(200);
        expect(afterClose.linkPage).not.toContain("Already recovered");
        expect(afterClose.linkPage).toContain("Re-run them");
        expect(afterClose.linkPage).toContain("4 run(s) it cancelled have not run again");
        expect(afterClose.left.sort()).toEqual([...ORDER].sort());
        const row = afterClose.causesPage.slice(afterClose.causesPage.indexOf(`data-cause="${causeId}"`));
        expect(row.slice(0, row.indexOf("</tr>"))).toContain('data-action="rerun-cause"');
      });

      test("the link's real POST after the close re-ran them: four runs, in order", () => {
        expect(afterClose.answerStatus).toBe(200);
        expect(afterClose.answer).toContain("4 run(s) will be started again");
      });

      test("the recovered mail, which names the cancelled runs, carries the re-run link (alone); after all ran it says nothing is left", async () => {
        const recovered = smtp.mails.find((m) => (m.mail.subject ?? "").includes(`[Recovered: cause #${causeId},`));
        const buttons = buttonsOf(recovered?.mail.html ?? "");
        expect([...buttons.keys()].filter((k) => ["Acknowledge", "Snooze", "Re-run the cancelled runs"].includes(k))).toEqual(["Re-run the cancelled runs"]);
        const link = buttons.get("Re-run the cancelled runs")!;
        expect(new URL(link).pathname).toBe(`/act/cause/${causeId}`);
        const page = await (await get(link)).text();
        expect(page).toContain("Nothing left to re-run");
        expect(page).toContain("Extract orders: re-run asked by anna@corp.example, ended (succeeded)");
      });
    }
  });
}
