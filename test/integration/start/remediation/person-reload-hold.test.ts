// Issue 101, "a person's Engine reload holds what its failure causes, as a retry does", on the simulator and a stepped
// clock shared with Steward, on each store (test/helpers/person-hold-site.ts: the Sales chain on Reload01, a mail route
// for failures, a Teams route for the watchdog's kinds). Reload Budget fails at 02:02 and at Qlik's retry at 02:04; at
// 02:05 the on-call engineer presses the mail's "Reload the app": the Engine reloads Budget for ten minutes. The app falls due at 02:07, while the
// reload runs: Teams is not told it is stale, and the incident (both REST answers), the dashboard and the watchdog say
// who holds it and what runs. When the reload succeeds, the app is fresh at the watchdog's next look (Steward's own
// reload job counts, without the Engine's log) and Teams never gets a post. When it fails, Teams gets one page.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  failFrom0155,
  type HoldScenario,
  IDS,
  MIN,
  mails,
  pressLink,
  readHolds,
  START,
  startHoldScenario,
  stopPostgres,
  teamsPosts,
} from "../../../helpers/person-hold-site";
import { createTempDir } from "../../../helpers/temp-dir";

afterAll(stopPostgres);

/** Reload Budget fails at 02:02 and 02:04; at 02:05 the person presses Reload the app. */
async function pressReload(sc: HoldScenario) {
  await failFrom0155(sc, IDS.budget);
  await sc.s.clock.runUntil(START + 75 * MIN);
  return pressLink(sc, "Reload Budget", "reload", "confirm=reload");
}

const ENGINE_FAILS = `{ durationMs: 600000, outcome: fail, error: "Cannot open file: 'lib://Sales/orders.qvd'" }`;

for (const backend of ["sqlite", "postgres"] as const)
  describe(`a person's Engine reload holds what its failure causes (${backend})`, () => {
    describe("the Engine reload succeeds", () => {
      const dir = createTempDir(`steward-reload-hold-heal-${backend}-`);
      let sc: HoldScenario;
      let pressed = { status: 0, text: "" };
      let holds: Awaited<ReturnType<typeof readHolds>>;
      afterAll(async () => {
        await sc?.close();
        dir.remove();
      });
      beforeAll(async () => {
        sc = await startHoldScenario(dir.path, backend, "person_reload_heal", "{ durationMs: 600000 }");
        pressed = await pressReload(sc);
        await sc.s.clock.runUntil(START + 80 * MIN);
        holds = await readHolds(sc, IDS.budget);
        await sc.s.clock.runUntil(START + 110 * MIN);
      }, 300_000);

      test("the Engine reloaded Budget from 02:05 to 02:15", () => {
        expect(pressed.status).toBe(200);
        const reloads = sc.s.sim.engine.reloads.filter((r) => r.appId === IDS.budgetApp);
        expect(reloads.map((r) => r.status)).toEqual(["succeeded"]);
        expect(reloads[0]!.stopMs! - reloads[0]!.startMs).toBe(10 * MIN);
        expect(reloads[0]!.startMs).toBeGreaterThanOrEqual(START + 75 * MIN);
      });

      test("while it ran, the incident (both REST answers, the assistant), the dashboard and the watchdog said the person's reload holds it", () => {
        expect(holds.heldBy).toEqual([
          { rule: null, askedBy: "qlik-ops@corp.example", askedFrom: "link", doing: "Engine reload of Budget running", dueAt: null },
        ]);
        expect(holds.incident).toEqual(holds.heldBy[0]!);
        expect(holds.assistant).toEqual(holds.heldBy[0]!);
        expect(holds.lines).toEqual([expect.stringContaining("asked by qlik-ops@corp.example (from the alert's link), Engine reload of Budget running")]);
        expect(holds.staleHeldBack["Reload Budget"]).toBe(
          'qlik-ops@corp.example asked to reload the app of task "Reload Budget" through the Engine (Engine reload of Budget running): judged again once it ends',
        );
      });

      test("the watchdog's route got no post", () => {
        expect(teamsPosts(sc.rx)).toEqual([]);
      });

      test("the mail route got the failure and what the Engine answered", () => {
        const mail = mails(sc.smtp);
        expect(mail[0]).toContain("Reload task failed: Reload Budget");
        expect(mail.join("\n")).toContain("the Engine reloaded the app and saved it");
        expect(mail.join("\n")).not.toContain("App data is stale");
      });
    });

    describe("the Engine reload fails", () => {
      const dir = createTempDir(`steward-reload-hold-fail-${backend}-`);
      let sc: HoldScenario;
      let beforeItFailed: string[] = [];
      afterAll(async () => {
        await sc?.close();
        dir.remove();
      });
      beforeAll(async () => {
        sc = await startHoldScenario(dir.path, backend, "person_reload_fail", ENGINE_FAILS);
        await pressReload(sc);
        // The reload fails at 02:15.
        await sc.s.clock.runUntil(START + 84 * MIN);
        beforeItFailed = teamsPosts(sc.rx);
        await sc.s.clock.runUntil(START + 92 * MIN);
      }, 300_000);

      test("nothing reached the watchdog's route while the Engine reload ran", () => {
        expect(sc.s.sim.engine.reloads.filter((r) => r.appId === IDS.budgetApp).map((r) => r.status)).toEqual(["failed"]);
        expect(beforeItFailed).toEqual([]);
      });

      test("once it failed: the mail says so, and the watchdog's route gets one page naming the app", () => {
        expect(mails(sc.smtp).join("\n")).toContain("the Engine reload failed");
        const teams = teamsPosts(sc.rx);
        expect(teams).toHaveLength(1);
        expect(teams[0]).toContain("App data is stale");
        expect(teams[0]).toContain("Budget");
      });
    });
  });
