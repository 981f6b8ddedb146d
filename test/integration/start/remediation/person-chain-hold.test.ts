// Issue 101, "a person's chain restart holds what its failure causes, as a retry does", on the simulator and a stepped
// clock shared with Steward, on each store (test/helpers/person-hold-site.ts: the Sales chain on Reload01, a node that
// runs one reload at once; a mail route for failures, a Teams route for the watchdog's and the promise's kinds).
// Transform sales fails at 02:04 and at Qlik's retry at 02:06; at 02:07 an admin starts Finance month end on Reload01
// (ten minutes); at 02:08 the on-call engineer presses the mail's "Start the chain again" from Extract sales: the start
// waits for a free engine until 02:17. Sales model and Sales dashboard fall due at 02:09 and 02:11 while it waits: Teams is not told they are
// stale, and the incident (both REST answers), the dashboard and the watchdog say who holds it and what it waits for.
// When the chain's run heals Transform sales, Teams never gets a post. When it fails again, Teams gets one page, the
// cause's, naming the tasks after it and their apps.
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
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";

afterAll(stopPostgres);

const WAITING = /^chain restart from Extract sales waiting for a free engine on \S+: 1 of 1 busy$/;

/** Transform sales fails at 02:04 and 02:06; Finance month end takes Reload01's one engine at 02:07; at 02:08 the person presses. */
async function pressChainRestart(sc: HoldScenario) {
  await failFrom0155(sc, IDS.transform);
  await sc.s.clock.runUntil(START + 77 * MIN);
  sc.s.sim.tasks.start(IDS.finance, { user: "INTERNAL\\sa_scheduler" });
  await sc.s.clock.runUntil(START + 78 * MIN);
  return pressLink(sc, "Transform sales", "chain", `task=${IDS.extract}`);
}

const runsAfter = (sc: HoldScenario, ms: number) => sc.s.finished.filter((r) => r.startMs >= ms).map((r) => `${r.task}:${r.status}`);

for (const backend of ["sqlite", "postgres"] as const)
  describe(`a person's chain restart holds what its failure causes (${backend})`, () => {
    describe("the chain's run heals the failure", () => {
      const dir = createTempDir(`steward-chain-hold-heal-${backend}-`);
      let sc: HoldScenario;
      let pressed = { status: 0, text: "" };
      let holds: Awaited<ReturnType<typeof readHolds>>;
      afterAll(async () => {
        await sc?.close();
        dir.remove();
      });
      beforeAll(async () => {
        sc = await startHoldScenario(dir.path, backend, "person_chain_heal");
        pressed = await pressChainRestart(sc);
        await simControl(sc.s.sim, "PATCH", `/tasks/${IDS.transform}`, { outcome: "succeed" });
        await sc.s.clock.runUntil(START + 82 * MIN);
        holds = await readHolds(sc, IDS.transform);
        await sc.s.clock.runUntil(START + 110 * MIN);
      }, 300_000);

      test("the chain started from Extract sales once Finance month end freed the engine, and ran to its end", () => {
        expect(pressed.status).toBe(200);
        expect(runsAfter(sc, START + 78 * MIN)).toEqual(["Extract sales:7", "Transform sales:7", "Reload Sales dashboard:7"]);
        expect(sc.s.finished.find((r) => r.task === "Extract sales" && r.startMs >= START + 78 * MIN)!.startMs).toBeGreaterThanOrEqual(START + 87 * MIN);
      });

      test("while it waited, the incident (both REST answers, the assistant), the dashboard and the watchdog said the person's restart holds it", () => {
        expect(holds.heldBy).toHaveLength(1);
        expect(holds.heldBy[0]).toMatchObject({ rule: null, askedBy: "qlik-ops@corp.example", askedFrom: "link", dueAt: null });
        expect(holds.heldBy[0]!.doing).toMatch(WAITING);
        expect(holds.incident).toEqual(holds.heldBy[0]!);
        expect(holds.assistant).toEqual(holds.heldBy[0]!);
        expect(holds.lines).toEqual([
          expect.stringContaining("asked by qlik-ops@corp.example (from the alert's link), chain restart from Extract sales waiting"),
        ]);
        const restart = 'up its chain, qlik-ops@corp.example asked to restart the chain from task "Extract sales" (chain restart from Extract sales waiting';
        expect(holds.staleHeldBack["Transform sales"]).toStartWith(restart);
        expect(holds.staleHeldBack["Reload Sales dashboard"]).toStartWith(restart);
      });

      test("the watchdog's route got no post: no stale app, no promise", () => {
        expect(teamsPosts(sc.rx)).toEqual([]);
      });

      test("the mail route got the failure, and no stale app", () => {
        const mail = mails(sc.smtp);
        expect(mail[0]).toContain("Reload task failed: Transform sales");
        expect(mail.join("\n")).not.toContain("App data is stale");
      });
    });

    describe("the chain's run fails again", () => {
      const dir = createTempDir(`steward-chain-hold-fail-${backend}-`);
      let sc: HoldScenario;
      let beforeItFailed: string[] = [];
      afterAll(async () => {
        await sc?.close();
        dir.remove();
      });
      beforeAll(async () => {
        sc = await startHoldScenario(dir.path, backend, "person_chain_fail");
        await pressChainRestart(sc);
        // Extract sales runs 02:17-02:19; Transform sales fails again from 02:19 on (its run and Qlik's retry of it).
        await sc.s.clock.runUntil(START + 92 * MIN);
        beforeItFailed = teamsPosts(sc.rx);
        await sc.s.clock.runUntil(START + 100 * MIN);
      }, 300_000);

      test("nothing reached the watchdog's route while the restart waited or its chain ran", () => {
        expect(runsAfter(sc, START + 78 * MIN)).toEqual(["Extract sales:7", "Transform sales:8"]);
        expect(beforeItFailed).toEqual([]);
      });

      test("once it failed: the watchdog's route gets one page naming the tasks, their apps and the promise", () => {
        const teams = teamsPosts(sc.rx);
        expect(teams).toHaveLength(1);
        expect(teams[0]).toContain("App data is stale");
        for (const name of ["Transform sales", "Reload Sales dashboard", "Sales model", "sales-dashboard"]) expect(teams[0]).toContain(name);
      });
    });
  });
