// Failed reloads with script logs of 1 to 5,000 lines and the error at the start, in the middle or at the end,
// from the simulator through the intake to every channel's real counterpart: SMTP (text and HTML), Slack, Teams
// and webhook receivers, Mosquitto, influxd 1.x, VictoriaMetrics and a recording InfluxDB v2 write endpoint.
// Every message shows the failure lines, and each line of the log is either shown once, in order, or counted by
// an "… N lines omitted …" marker.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mqtt, { type MqttClient } from "mqtt";
import { startHarness, IDS, type Harness } from "../../hear/intake/harness";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { flushVictoriaMetrics, startInfluxDb1, startMosquitto, startVictoriaMetrics, type TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "./receivers";
import type { TaskEvent } from "../../../../src/platform/events/types";

const LENGTHS = [1, 15, 16, 20, 21, 40, 61, 5_000];
const POSITIONS: Record<string, (n: number) => number> = { start: (n) => Math.min(n, 3), middle: (n) => Math.ceil(n / 2), end: (n) => Math.max(1, n - 2) };
const CHANNELS = ["mail", "slack", "teams", "hook", "bus", "influx1", "influx2", "influx2rx"];

interface Case {
  total: number;
  errorLine: number;
  log: string[];
  event: TaskEvent;
}

const MARKER = /^… (\d+) lines? omitted \(lines? (\d+)(?:–(\d+))?\) …$/;

/** Each log line is shown once in order or inside one marker; the error and `Execution Failed` are shown. */
function expectExcerpt(where: string, shown: string[], c: Case): void {
  const marker = MARKER;
  let next = 1;
  const seen: number[] = [];
  for (const line of shown) {
    const m = marker.exec(line);
    if (m) {
      const [from, to] = [Number(m[2]), Number(m[3] ?? m[2])];
      expect({ where, from }).toEqual({ where, from: next });
      expect(Number(m[1])).toBe(to - from + 1);
      next = to + 1;
      continue;
    }
    expect({ where, n: next, line }).toEqual({ where, n: next, line: c.log[next - 1]! });
    seen.push(next);
    next++;
  }
  expect({ where, covered: next - 1 }).toEqual({ where, covered: c.total });
  expect({ where, error: seen.includes(c.errorLine) }).toEqual({ where, error: true });
  const failed = c.log.findIndex((l) => l.endsWith(" Execution Failed")) + 1;
  if (failed > 0) expect({ where, executionFailed: seen.includes(failed) }).toEqual({ where, executionFailed: true });
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
// Teams card Markdown: every markup character of the log goes out backslash-escaped.
const unescapeCard = (s: string) => s.replace(/\\(.)/g, "$1");
const unescapeMrkdwn = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** A string field of a line-protocol line, unescaped. */
function lineProtocolString(line: string, field: string): string | undefined {
  const at = line.indexOf(`${field}="`);
  if (at < 0) return undefined;
  let out = "";
  for (let i = at + field.length + 2; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\") {
      out += line[++i];
      continue;
    }
    if (ch === '"') return out;
    out += ch;
  }
  return undefined;
}

describe("script-log excerpt in every channel", () => {
  let dir: TempDir;
  let smtp: SmtpReceiver;
  let rx: HttpReceiver;
  let rx204: HttpReceiver;
  let broker: TestService;
  let influx: TestService;
  let vm: TestService;
  let sub: MqttClient;
  const published: Array<{ topic: string; payload: string }> = [];
  let h: Harness;
  const cases: Case[] = [];

  beforeAll(async () => {
    dir = createTempDir("steward-scriptlog-");
    smtp = await startSmtpReceiver();
    rx = startHttpReceiver(200);
    rx204 = startHttpReceiver(204);
    [broker, influx, vm] = await Promise.all([startMosquitto(), startInfluxDb1(), startVictoriaMetrics()]);
    sub = await mqtt.connectAsync(broker.url, { clientId: "scriptlog-test-sub" });
    sub.on("message", (topic, payload) => published.push({ topic, payload: payload.toString() }));
    await sub.subscribeAsync("steward/#", { qos: 1 });
    h = await startHarness({
      dir: dir.path,
      extraYaml: `
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example], attachScriptLog: false }
  slack: { type: slack, webhookUrl: "${rx.url}/slack", scriptLogLines: { head: 40, tail: 60 } }
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  hook: { type: webhook, url: "${rx.url}/hook" }
  bus: { type: mqtt, url: "${broker.url}", qos: 1, butlerTopics: { enabled: false } }
  influx1: { type: influxdb, version: 1, url: "${influx.url}", database: steward }
  influx2: { type: influxdb, version: 2, url: "${vm.url}", org: qlik, bucket: steward, token: not-checked }
  influx2rx: { type: influxdb, version: 2, url: "${rx204.url}/influx2", org: qlik, bucket: steward, token: not-checked }
routes:
  - { name: failures, on: [task.failed], to: [${CHANNELS.join(", ")}], renotify: every }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
    });

    const seenRuns = new Set<string>();
    for (const total of LENGTHS) {
      for (const at of Object.values(POSITIONS)) {
        const errorLine = at(total);
        if (seenRuns.has(`${total}:${errorLine}`)) continue;
        seenRuns.add(`${total}:${errorLine}`);
        await waitFor(() => !h.sim.tasks.isRunning(IDS.reload), { timeoutMs: 5_000, what: "the reload task to be idle" });
        const run = h.sim.tasks.start(IDS.reload, { outcome: "fail", durationMs: 60, scriptLog: { lines: total, errorLine } });
        if (!run.started) throw new Error(`run not started: ${run.reason}`);
        const event = await h.eventFor(run.executionId, 15_000);
        const res = await fetch(`${h.sim.urls.control}/executions/${run.executionResultId}/scriptlog`);
        const log = (await res.text()).split("\r\n").slice(0, -1);
        expect(log.length).toBe(total);
        cases.push({ total, errorLine, log, event });
        type Row = { channel: string; status: string; reason: string | null };
        const rows = async () =>
          ((await (await h.t.request(`/v4/deliveries?eventId=${encodeURIComponent(event.id)}`)).json()) as { deliveries: Row[] }).deliveries;
        await waitFor(async () => (await rows()).filter((d) => d.status === "delivered").length === CHANNELS.length, {
          timeoutMs: 20_000,
          what: `all deliveries of ${total} lines / error at ${errorLine}`,
        }).catch(async (err) => {
          throw new Error(`${(err as Error).message}: ${JSON.stringify(await rows())}`);
        });
      }
    }
  }, 240_000);
  afterAll(async () => {
    await h?.close();
    await sub?.endAsync();
    await Promise.all([smtp?.stop(), rx?.stop(), rx204?.stop(), broker?.stop(), influx?.stop(), vm?.stop()]);
    dir?.remove();
  });

  const each = (fn: (c: Case) => void | Promise<void>) => async () => {
    expect(cases.length).toBe(22);
    for (const c of cases) await fn(c);
  };

  test(
    "the event keeps the failure lines wherever they are",
    each((c) => {
      expect(c.event.scriptLog?.totalLines).toBe(c.total);
      expect(c.event.scriptLog?.failureLines).toContain(c.errorLine);
    }),
  );

  test(
    "e-mail, text part",
    each((c) => {
      const mail = smtp.mails.find((m) => m.mail.text?.includes(c.event.id))!;
      const text = mail.mail.text!.replace(/\r\n/g, "\n");
      expect(text).toContain(`What went wrong (script log):\nError: Cannot open file: 'lib://Data/orders.qvd'`);
      const section = text.slice(text.indexOf("--- Script log: ")).split("\n");
      expect(section[0]).toMatch(new RegExp(`^--- Script log: \\d+ of ${c.total} lines ---$`));
      expectExcerpt(`mail text ${c.total}/${c.errorLine}`, section.slice(1, section.indexOf("", 1)), c);
    }),
  );

  test(
    "e-mail, HTML part (failure lines highlighted)",
    each((c) => {
      const mail = smtp.mails.find((m) => m.mail.text?.includes(c.event.id))!;
      const html = mail.mail.html!;
      const pre = /<pre[^>]*>([\s\S]*?)<\/pre>/.exec(html.slice(html.indexOf("Script log: ")))![1]!;
      expect(pre).toMatch(/<span style="background-color:#7f1d1d;color:#ffffff;">[^<]*Error: Cannot open file/);
      const lines = unescapeHtml(pre.replace(/<[^>]+>/g, "")).split("\n");
      expect(lines.pop()).toBe("");
      expectExcerpt(`mail html ${c.total}/${c.errorLine}`, lines, c);
    }),
  );

  test(
    "Slack: the excerpt fits a section and keeps the failure",
    each((c) => {
      const body = rx.requests
        .filter((r) => r.path === "/slack")
        .map((r) => JSON.parse(r.body))
        .find((b) => JSON.stringify(b).includes(c.event.executionId))!;
      const section = body.blocks.find((b: { text?: { text: string } }) => b.text?.text.startsWith("*Script log, "));
      expect(section.text.text.length).toBeLessThanOrEqual(3000);
      const code = /```([\s\S]*)```$/.exec(section.text.text)![1]!;
      expectExcerpt(`slack ${c.total}/${c.errorLine}`, unescapeMrkdwn(code).split("\n"), c);
      expect(JSON.stringify(body.blocks)).toContain("*What went wrong*");
      if (c.total === 5_000) {
        // Slack asks for 40/60 lines: everything the event kept does not fit a section, so lines were left out.
        const log = c.event.scriptLog!;
        const kept = log.head.length + (log.middle?.length ?? 0) + log.tail.length;
        expect(
          unescapeMrkdwn(code)
            .split("\n")
            .filter((l) => !MARKER.test(l)).length,
        ).toBeLessThan(kept);
      }
    }),
  );

  test(
    "Teams: the excerpt and the failure in the card",
    each((c) => {
      const card = rx.requests
        .filter((r) => r.path === "/teams")
        .map((r) => JSON.parse(r.body).attachments[0].content)
        .find((b) => JSON.stringify(b).includes(c.event.executionId))!;
      const container = card.body.find((b: { type: string }) => b.type === "Container");
      expectExcerpt(`teams ${c.total}/${c.errorLine}`, unescapeCard(container.items[0].text).split("\n"), c);
      expect(card.body.some((b: { color?: string; text?: string }) => b.color === "Attention" && b.text?.includes("Error: Cannot open file"))).toBe(true);
    }),
  );

  test(
    "webhook: scriptLog.excerpt and the error lines",
    each((c) => {
      const body = rx.requests
        .filter((r) => r.path === "/hook")
        .map((r) => JSON.parse(r.body))
        .find((b) => b.executionId === c.event.executionId)!;
      expectExcerpt(`webhook ${c.total}/${c.errorLine}`, body.scriptLog.excerpt.split("\n"), c);
      expect(body.scriptLog.errors).toContainEqual({ n: c.errorLine, text: c.log[c.errorLine - 1] });
      expect(body.scriptLog.totalLines).toBe(c.total);
    }),
  );

  test(
    "MQTT: the structured event carries the excerpt",
    each(async (c) => {
      const msg = await waitFor(() => published.find((m) => m.topic.endsWith("/task/failed/reload") && JSON.parse(m.payload).id === c.event.id), {
        what: "mqtt message",
      });
      const e = JSON.parse(msg.payload);
      expectExcerpt(`mqtt ${c.total}/${c.errorLine}`, e.scriptLog.excerpt.split("\n"), c);
      expect(e.scriptLog.errors.map((x: { n: number }) => x.n)).toContain(c.errorLine);
    }),
  );

  test(
    "InfluxDB 1.x: script_log_excerpt holds the excerpt, script_log_errors the failure (reload_log Butler's tail)",
    each(async (c) => {
      const q = `SELECT reload_log, script_log_excerpt, script_log_errors, task_scriptLogErrorCount FROM reload_task_failed WHERE execution_id = '${c.event.executionId}'`;
      const res = await fetch(`${influx.url}/query?${new URLSearchParams({ db: "steward", q })}`);
      const body = (await res.json()) as { results: Array<{ series?: Array<{ columns: string[]; values: unknown[][] }> }> };
      const s = body.results[0]!.series![0]!;
      const row = Object.fromEntries(s.columns.map((k, i) => [k, s.values[0]![i]]));
      expectExcerpt(`influx1 ${c.total}/${c.errorLine}`, String(row.script_log_excerpt).split("\r\n"), c);
      // Butler's reload_log: the execution details, a dashed line, the last lines of the log.
      expect(String(row.reload_log)).toContain("\r\n-------------------------------\r\n\r\n");
      expect(String(row.reload_log)).toContain(`${c.log[c.total - 1]!.slice(0, 100)}`);
      expect(String(row.script_log_errors)).toContain("Error: Cannot open file: 'lib://Data/orders.qvd'");
      expect(row.task_scriptLogErrorCount).toBeGreaterThanOrEqual(1);
    }),
  );

  test(
    "InfluxDB v2 write API: the line protocol carries the excerpt (recording endpoint) and the error count (VictoriaMetrics)",
    each(async (c) => {
      const line = rx204.requests
        .filter((r) => r.path === "/influx2/api/v2/write")
        .flatMap((r) => r.body.split("\n"))
        .find((l) => l.includes(`execution_id="${c.event.executionId}"`))!;
      // Version 2 writes line breaks as the two characters \n.
      const excerpt = lineProtocolString(line, "script_log_excerpt")!;
      expectExcerpt(`influx2 ${c.total}/${c.errorLine}`, excerpt.split("\\n"), c);
      await flushVictoriaMetrics(vm);
      const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ "match[]": "reload_task_failed_task_scriptLogErrorCount" })}`);
      const series = (await res.text())
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { values: number[] });
      expect(series.flatMap((x) => x.values).every((v) => v >= 1)).toBe(true);
      expect(series.flatMap((x) => x.values).length).toBeGreaterThan(0);
    }),
  );
});
