// Issue 106: a maintenance window on one Qlik node holds the watchdog's pages about the tasks that run on that node.
// The simulator on the stepped clock Steward shares with it: Extract runs on the central node every 5 minutes and
// Model after it on Reload02 (sense3), in sense3's window. Reload02 goes down: Model's chain breaks, its condition
// names sense3 (the node of its last run, not qlik.host), and the window holds it: nobody is mailed. Then Model runs
// on Reload01 (sense2, no window), as a load-balancing rule may move it, and Reload01 goes down: the same condition
// pages, by a real mail at a local SMTP receiver. On SQLite and on PostgreSQL (the node is kept with each stored run). Grouping by cause is off, so each page is judged on its own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const START = Date.parse("2026-11-23T08:00:30Z");
const MIN = 60_000;
const SITE = `
nodes:
  - { name: Central, hostName: sense1, central: true }
  - { name: Reload01, hostName: sense2 }
  - { name: Reload02, hostName: sense3 }
users: [{ userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }]
apps:
  - { name: Extract, owner: INTERNAL\\sa_scheduler }
  - { name: Model, owner: INTERNAL\\sa_scheduler }
tasks:
  - name: Reload Extract
    type: reload
    app: Extract
    durationMs: 30000
    triggers:
      - { type: schema, name: Every 5 minutes, incrementOption: custom, incrementDescription: "5 0 0 0", startDate: "2026-01-01T00:00:00.000", timeZone: UTC }
  - name: Reload Model
    type: reload
    app: Model
    node: Reload02
    durationMs: 20000
    triggers:
      - { type: composite, name: After Extract, rules: [{ task: Reload Extract, state: success }] }
`;

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

for (const backend of ["sqlite", "postgres"] as const)
  describe(backend, () => {
    const dir = createTempDir();
    let site: SteppedSite;
    let smtp: SmtpReceiver;
    let t: TestApp;
    const events: WatchdogEvent[] = [];
    const run = (ms: number) => site.clock.runUntil(site.clock.now() + ms);
    const broken = () => events.filter((e) => e.kind === "task.chain_broken");

    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      site = await startSteppedSite(dir.path, START, SITE);
      let store = "";
      if (backend === "postgres") {
        pg ??= await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("node_window_holds")}\n`;
      }
      t = createTestApp(
        `${store}${qlikYaml(site.sim)}watchdog:
  interval: 12s
  grace: 3m
# Each page on its own: a node down is otherwise a cause that pages once for what it stops (grouping.md).
grouping: { enabled: false }
channels:
  ops: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.chain_broken], to: [ops] }
maintenance:
  windows:
    - { name: sense3-patches, start: "2026-11-23T08:30:00Z", end: "2026-11-23T12:00:00Z", nodes: [sense3] }
`,
        { clock: site.clock, dir: join(dir.path, "steward") },
      );
      t.app.bus.on("task.chain_broken", (e) => void events.push(e as WatchdogEvent));
      await t.app.start();
      sendDatagramsTo(site, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t.app.intake.counters.received.get());
    }, 120_000);

    afterAll(async () => {
      await t?.close();
      await site?.sim.stop();
      await smtp?.stop();
      dir.remove();
    });

    test("Model's broken chain on sense3 in sense3's window is held; the same on sense2 pages", async () => {
      // The watchdog learns the chain: Extract at 08:05 … 08:30, Model after each on Reload02.
      await run(31 * MIN);
      await simControl(site.sim, "POST", "/nodes/Reload02/down");
      await run(15 * MIN);
      expect(broken().map((e) => [e.task?.name, e.host])).toEqual([["Reload Model", "sense3"]]);
      const deliveries = async () =>
        ((await (await t.request("/v4/deliveries?channel=ops")).json()) as { deliveries: Array<{ status: string; reason: string | null }> }).deliveries;
      const held = await waitFor(async () => (await deliveries()).find((d) => d.status === "suppressed"), { what: "the page held by the window" });
      expect(held.reason).toContain("maintenance window sense3-patches");
      const aboutModel = () => smtp.mails.filter((m) => (m.mail.subject ?? "").includes("Reload Model"));
      expect(aboutModel()).toEqual([]);

      await simControl(site.sim, "POST", "/nodes/Reload02/up");
      const reload01 = site.sim.repo.site.nodes.find((n) => n.name === "Reload01")!;
      const model = [...site.sim.repo.tasks.values()].find((x) => x.model.name === "Reload Model")!;
      model.model.nodeId = reload01.id;
      // Model runs after the next Extracts on Reload01, and its chain is on track again.
      await run(15 * MIN);
      await simControl(site.sim, "POST", "/nodes/Reload01/down");
      await run(15 * MIN);
      expect(broken().map((e) => [e.task?.name, e.host])).toEqual([
        ["Reload Model", "sense3"],
        ["Reload Model", "sense2"],
      ]);
      await waitFor(() => aboutModel().length >= 1, { what: "the page of the chain broken on sense2", timeoutMs: 30_000 });
      expect(aboutModel()).toHaveLength(1);
    }, 180_000);
  });
