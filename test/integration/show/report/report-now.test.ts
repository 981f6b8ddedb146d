// Issue 68, item 6: the morning report now, for any span, on the dashboard (/ui/report) and the command line
// (`steward report`), with the failures named by their cause as the Causes page names it; and one subject prefix,
// notify.subjectPrefix, on everything Steward mails. Two reloads fail reading one refusing source, on the simulator.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { writeFileSync } from "node:fs";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { simCertDir } from "../../../helpers/sim-certs";
import { refusedSourceSite } from "../../../helpers/refused-source-site";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";

const MAIN = resolve(import.meta.dir, "../../../../src/main.ts");
const ID = "6b1f3c2a-9d4e-4f5a-8b7c-1d2e3f4a7d";
const { yaml: SITE } = refusedSourceSite("Report now", ID);

const tmp = createTempDir("steward-report-now-");
let sim: Simulator;
let t: TestApp;
let rx: HttpReceiver;
let smtp: SmtpReceiver;
let base: string;
let causeTitle: string;

beforeAll(async () => {
  rx = startHttpReceiver();
  smtp = await startSmtpReceiver();
  sim = await startSimulator({ site: SITE, certDir: simCertDir(join(tmp.path, "certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
  t = createTestApp(
    [
      "http: { host: 127.0.0.1, port: 0 }",
      "udp: { host: 127.0.0.1, port: 0 }",
      `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, enginePort: ${sim.ports.engine}, certDir: ${JSON.stringify(sim.certDir)}, timeoutMs: 5000 }`,
      'notify: { subjectPrefix: "[QS PROD]" }',
      "channels:",
      `  hook: { type: webhook, url: "${rx.url}/hook" }`,
      `  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }`,
      "routes: [{ on: [task.failed], to: [hook, mail] }]",
      "",
    ].join("\n"),
    { dir: join(tmp.path, "steward") },
  );
  await t.app.start();
  base = t.app.server!.url().replace(/\/$/, "");
  sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
  for (const id of [`${ID}01`, `${ID}02`]) expect(sim.tasks.start(id, { outcome: "fail", durationMs: 50 }).started).toBe(true);
  causeTitle = await waitFor(
    async () => {
      const { causes } = (await (await fetch(`${base}/v4/causes?status=open`)).json()) as { causes: Array<{ title: string; stillFailing: number }> };
      return causes[0]?.stillFailing === 2 ? causes[0].title : undefined;
    },
    { what: "one cause holding both failures", timeoutMs: 30_000 },
  );
  await waitFor(() => smtp.mails.length >= 1 || undefined, { what: "the alert mail", timeoutMs: 30_000 });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await sim?.stop();
  await rx?.stop();
  await smtp?.stop();
  tmp.remove();
});

const causeLine = () => `${causeTitle} (2 failed runs, still open): Reload Ledger, Reload Payables`;

test("the report names the failures by their cause's title, as the Causes page does", async () => {
  expect(causeTitle).toContain("connection errors from");
  const causesPage = await (await fetch(`${base}/ui/causes`)).text();
  expect(causesPage).toContain(causeTitle);
  const r = (await (await fetch(`${base}/v4/report?hours=2`)).json()) as { sections: Array<{ title: string; lines: Array<{ text: string }> }> };
  expect(r.sections.find((s) => s.title === "Failures by cause")!.lines.map((l) => l.text)).toEqual([causeLine()]);
});

test("/ui/report shows the report now, linked from the overview; a wrong span is named", async () => {
  expect(await (await fetch(`${base}/ui`)).text()).toContain('<a class="small" href="/ui/report" id="report-link">');
  const page = await (await fetch(`${base}/ui/report`)).text();
  expect(page).toContain("Failures by cause");
  expect(page).toContain(causeLine());
  expect(page).toMatch(/Morning report, \w{3}, \d+ \w{3} \d{4}/);
  const wrong = await (await fetch(`${base}/ui/report?from=yesterday`)).text();
  expect(wrong).toContain("from");
  expect(wrong).not.toContain("Failures by cause");
});

/** `steward …` as a child (asynchronously: the Steward it asks runs in this process). */
async function steward(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}

test("steward report prints the same for a span, from the running Steward", async () => {
  const config = join(tmp.path, "cli.yaml");
  writeFileSync(config, `http: { host: 127.0.0.1, port: ${new URL(base).port} }\n`);
  const r = await steward(["report", "--config", config, "--hours", "3"]);
  const out = r.out;
  expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
  expect(out).toMatch(/^Morning report, /);
  expect(out).toContain(`Failures by cause\n  ! ${causeLine()}`);
  const bad = await steward(["report", "--url", base, "--from", "yesterday"]);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain("Steward answered 400");
}, 30_000);

test("every mail's subject starts with notify.subjectPrefix, the cause after it", () => {
  expect(smtp.mails.map((m) => m.mail.subject!.slice(0, 10))).toEqual(smtp.mails.map(() => "[QS PROD] "));
  expect(smtp.mails[0]!.mail.subject).toContain(`[QS PROD] [Open: `);
});
