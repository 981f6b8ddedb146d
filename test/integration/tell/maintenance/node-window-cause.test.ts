// Issue 106/101: a maintenance window on one Qlik node holds the page of a cause whose runs all ran on that node. The
// simulator's two nodes (Central: sense1, Reload01: reload01) on a stepped clock Steward shares; three windows on
// reload01. In the first, Reload01's Scheduler stops and its 01:05 runs never start: one cause, nobody paged while the
// window lasts, the cause shown held by it on /v4/causes; the cause still open at 01:30 pages then, once per channel,
// and its recovery follows. In the second the node is down and back inside the window: nothing is ever paged. In the
// third a data source refuses the 04:05 runs on both nodes: one cause over both nodes, paged at once, naming what ran
// outside the window, and not paged again at the window's end. In the fourth a daily upstream on reload01 fails: the
// cause of what waits for it on Central is held too, and pages at the window's end. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticServiceEvent } from "../../../../src/tell/notify/samples";
import { closeAll, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import type { SteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { startGroupingScenario } from "../grouping/stepped-grouping";
import { MIN, NIGHT, NODE_OUTAGE_KINDS, START } from "../grouping/two-node-site";
import { at, site, taskId, UPSTREAM, WINDOWS } from "./window-cause-site";
import type { HttpReceiver, SmtpReceiver } from "../notify/receivers";

type Page = { kind: string; cause?: { id: number; title: string; status?: string; tasks: string[] } };

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

for (const backend of ["sqlite", "postgres"] as const)
  describe(backend, () => {
    const dir = createTempDir(`steward-window-cause-${backend}-`);
    let s: SteppedSite | undefined;
    let t: TestApp | undefined;
    let rx: HttpReceiver;
    let smtp: SmtpReceiver;
    const hook = () => rx.requests.filter((r) => r.path === "/hook").map((r) => JSON.parse(r.body) as Page);
    const scheduler = (state: "stopped" | "started") =>
      t!.app.bus.emit(
        `service.${state}`,
        syntheticServiceEvent({ state, host: "reload01.test.example", service: "QlikSenseSchedulerService", nowMs: s!.clock.now() }),
      );
    const causes = async (status: "open" | "closed") => ((await (await t!.request(`/v4/causes?status=${status}`)).json()) as { causes: ParentView[] }).causes;

    beforeAll(async () => {
      let store = "";
      if (backend === "postgres") {
        pg ??= await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("node_window_cause")}\n`;
      }
      ({ s, t, rx, smtp } = await startGroupingScenario(
        dir.path,
        START,
        site(),
        NODE_OUTAGE_KINDS,
        // The service monitor's report alone: QRS's service states (read by default) would open the same cause.
        `grouping: { nodeDown: { unreachable: { enabled: false } } }\n${WINDOWS}${store}`,
      ));
    }, 120_000);

    afterAll(async () => {
      await closeAll(t, s?.sim, dir);
      await rx?.stop();
      await smtp?.stop();
    });

    test("reload01 down inside its window: no page while it lasts, the cause shown held; one page at its end, then the recovery", async () => {
      const { sim, clock } = s!;
      await clock.runUntil(START + 60 * MIN);
      await simControl(sim, "POST", "/nodes/Reload01/down");
      await scheduler("stopped");
      await clock.runUntil(START + 85 * MIN);
      const open = await causes("open");
      expect(open.map((c) => [c.title, c.stillFailing])).toEqual([["Qlik services down on reload01", 9]]);
      expect(hook()).toEqual([]);
      expect(smtp.mails).toHaveLength(0);
      const one = (await (await t!.request(`/v4/causes/${open[0]!.id}`)).json()) as { heldBy?: { window: string; scope: string; until: string } };
      expect(one.heldBy).toEqual({ window: "reload01-patches", scope: "nodes reload01", until: at(90) });
      expect(open[0]!.heldBy?.window).toBe("reload01-patches");
      expect(await (await t!.request("/ui/causes")).text()).toContain("maintenance window reload01-patches");

      // 01:30: the window ends with the node still down: the cause pages now, once per channel.
      await clock.runUntil(START + 95 * MIN);
      expect(hook().map((p) => `${p.kind}: ${p.cause?.title}`)).toHaveLength(1);
      expect(hook()[0]!.cause).toMatchObject({ id: open[0]!.id, title: "Qlik services down on reload01" });
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0]!.mail.subject).toContain(`[Open: cause #${open[0]!.id}, Qlik services down on reload01]`);
      const after = (await (await t!.request(`/v4/causes/${open[0]!.id}`)).json()) as { heldBy?: unknown };
      expect(after.heldBy).toBeUndefined();

      // Back at 01:40: its recovered page follows the page sent at the window's end.
      await simControl(sim, "POST", "/nodes/Reload01/up");
      await scheduler("started");
      await clock.runUntil(START + 130 * MIN);
      expect(hook().map((p) => p.cause?.status ?? "open")).toEqual(["open", "closed"]);
      expect(smtp.mails).toHaveLength(2);
    }, 300_000);

    test("reload01 down and back inside its window: nothing paged, during it or after", async () => {
      const { sim, clock } = s!;
      const before = hook().length;
      await clock.runUntil(START + 155 * MIN);
      await simControl(sim, "POST", "/nodes/Reload01/down");
      await scheduler("stopped");
      await clock.runUntil(START + 165 * MIN);
      expect((await causes("open")).map((c) => c.title)).toEqual(["Qlik services down on reload01"]);
      await simControl(sim, "POST", "/nodes/Reload01/up");
      await scheduler("started");
      await clock.runUntil(START + 195 * MIN);
      expect(await causes("open")).toEqual([]);
      expect(hook()).toHaveLength(before);
      expect(smtp.mails).toHaveLength(2);
    }, 300_000);

    test("a cause over both nodes pages inside the window, naming what ran outside it", async () => {
      const { sim, clock } = s!;
      const before = hook().length;
      await clock.runUntil(START + 230 * MIN);
      // Night 0 on reload01 (in its window) and Central 0 on sense1 read the DWH, which refuses them at 04:05.
      for (const i of [0, NIGHT.length]) await simControl(sim, "PATCH", `/tasks/${taskId(i)}`, { outcome: "fail" });
      await clock.runUntil(START + 250 * MIN);
      const open = await causes("open");
      expect(open).toHaveLength(1);
      expect(open[0]!.affected.tasks).toEqual(["Central 0", "Night 0"]);
      // It paged: not shown held, although the window holds Night 0's own alert.
      expect(open[0]!.heldBy).toBeUndefined();
      const pages = hook().slice(before);
      expect(pages).toHaveLength(1);
      expect(pages[0]!.cause!.tasks).toEqual(["Central 0"]);
      expect(smtp.mails).toHaveLength(3);
      expect(smtp.mails[2]!.mail.text).toContain("Central 0");
      expect(smtp.mails[2]!.mail.text).not.toContain("Night 0");
      expect(smtp.mails[2]!.mail.text).toContain("1 more inside maintenance window reload01-disk, not named");
      // 04:30 the window ends: the cause reached both channels already, so what it held of reload01 is not sent.
      await clock.runUntil(START + 280 * MIN);
      expect(hook()).toHaveLength(before + 1);
      expect(smtp.mails).toHaveLength(3);
    }, 300_000);

    test("a failed upstream on reload01 in its window: what waits for it on Central pages nothing; still failing at the end, it pages once", async () => {
      const { sim, clock } = s!;
      // The DWH accepts the loads again (its cause ends with their 05:05 runs); Upstream fails at 05:05.
      for (const i of [0, NIGHT.length]) await simControl(sim, "PATCH", `/tasks/${taskId(i)}`, { outcome: "succeed" });
      await simControl(sim, "PATCH", `/tasks/${UPSTREAM}`, { outcome: "fail" });
      const about = () => hook().filter((p) => p.cause?.title === "Upstream failed: the tasks after it do not run");
      const mails = () => smtp.mails.filter((m) => (m.mail.subject ?? "").includes("Upstream failed"));
      await clock.runUntil(START + 350 * MIN);
      const open = (await causes("open")).find((c) => c.title === "Upstream failed: the tasks after it do not run");
      expect(open?.affected.tasks).toEqual(["Downstream", "Upstream"]);
      expect(about()).toEqual([]);
      expect(mails()).toEqual([]);
      expect(open?.heldBy?.window).toBe("reload01-etl");
      // 06:00 the window ends with Upstream still failed: its cause pages now, once per channel.
      await clock.runUntil(START + 365 * MIN);
      expect(about().map((p) => p.cause?.status)).toEqual(["open"]);
      expect(mails()).toHaveLength(1);
    }, 300_000);
  });
