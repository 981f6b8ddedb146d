// A task that fails at 02:00 and works at 03:00, night after night, on the simulated site and one stepped clock, with
// Steward started from a real config file (so a proposal can be written into it and reloaded) and its one route
// mailing a real SMTP receiver (and the weekly report on Mondays at 07:00): the noise report's proposals, applied and
// re-run (issue 76).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp, type StewardApp } from "../../src/app";
import { loadConfigFile } from "../../src/composition/config";
import { createSilentLogger } from "../../src/platform/core/logger";
import { inProcessEnv } from "../../src/platform/http/types";
import { IDS, SITE_YAML, intakeYaml } from "../integration/hear/intake/harness";
import { type SmtpReceiver, startSmtpReceiver } from "../integration/tell/notify/receivers";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "./stepped-site";
import { wallLimit } from "./time-limit";

const DAY = 86_400_000;
const H = 3_600_000;
/** Monday 2026-11-16, 00:00 UTC. */
export const NIGHTS_START = Date.parse("2026-11-16T00:00:00Z");

export interface NoisyNights {
  site: SteppedSite;
  app: StewardApp;
  smtp: SmtpReceiver;
  /** The config file Steward runs from. */
  file: string;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Failure mails so far (recoveries not counted). */
  failures(): number;
  /**
   * Nights `firstDay`…: the task fails at 02:00 (and 02:30 with `twice`) and works at 03:00; with `extract`, the ERP
   * extract also fails at 01:00 and works at 01:30 (a second noisy task: one task's noise yields no route-wide rule).
   */
  nights(firstDay: number, n: number, twice?: boolean, extract?: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startNoisyNights(dir: string): Promise<NoisyNights> {
  const smtp = await startSmtpReceiver();
  const site = await startSteppedSite(dir, NIGHTS_START, SITE_YAML);
  const file = join(dir, "steward.yaml");
  // The node rule reads QRS's service states every ten simulated minutes, not every 30 s: no node goes down on these
  // nights and no test of the noise report reads them, and at 30 s they were over half of a night's CPU (2,880 reads).
  writeFileSync(
    file,
    `${intakeYaml(site.sim)}
http: { host: 127.0.0.1, port: 0 }
udp: { host: 127.0.0.1, port: 0 }
dataDir: ./data
grouping: { nodeDown: { unreachable: { interval: 10m } } }
# The ops mailbox (do not remove: the night shift reads it)
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  # paged at night
  - name: on-call
    on: [task.failed, task.recovered]
    to: [mail] # the shared mailbox
  - { name: weekly, on: [report.weekly], to: [mail] }
`,
  );
  const app = createApp(loadConfigFile(file), { log: createSilentLogger(), clock: site.clock });
  const starting = app.start();
  await site.clock.runUntil(NIGHTS_START);
  await starting;
  sendDatagramsTo(site, { host: "127.0.0.1", port: app.intake.udp!.address()!.port }, () => app.intake.counters.received.get());
  return {
    site,
    app,
    smtp,
    file,
    request: (path, init) => Promise.resolve(app.http.hono.request(path, init, inProcessEnv())),
    failures: () => smtp.mails.filter((m) => /task failed:/.test(m.mail.subject ?? "")).length,
    async nights(firstDay, n, twice = false, extract = false) {
      const { clock, sim } = site;
      for (let d = firstDay; d < firstDay + n; d++) {
        const at = (h: number, outcome: "fail" | "succeed", task: string = IDS.reload) =>
          clock.setTimeout(() => sim.tasks.start(task, { outcome, durationMs: 60_000 }), NIGHTS_START + d * DAY + h * H - clock.now());
        if (extract) {
          at(1, "fail", IDS.externalProgram);
          at(1.5, "succeed", IDS.externalProgram);
        }
        at(2, "fail");
        if (twice) at(2.5, "fail");
        at(3, "succeed");
      }
      await clock.runUntil(NIGHTS_START + (firstDay + n) * DAY - H, { stallMs: wallLimit(30_000) });
    },
    async close() {
      await app.stop();
      await site.sim.stop();
      await smtp.stop();
    },
  };
}
