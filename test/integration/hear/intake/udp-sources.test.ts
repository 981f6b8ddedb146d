// Who may send when udp.allowedSources is left empty (issue 75, E1): with qlik: configured only the Qlik nodes
// (qlik.host, 127.0.0.1 here, and the server nodes the simulator's QRS lists). A forger on another loopback alias,
// 127.0.0.3, is refused and counted, summed up in one log line and not one per datagram; "*" admits it on purpose.
import { createSocket } from "node:dgram";
import { afterEach, expect, test } from "bun:test";
import { createLogger } from "../../../../src/platform/core/logger";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "./harness";

const forged = (exec: string) =>
  `/scheduler-task-failed/;SENSE1;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${IDS.reload};${IDS.app};2025-11-03 06:00:41,512;WARN;${exec};Forged failure`;

/** Sends from `from` (a loopback alias: Linux answers for all of 127.0.0.0/8). */
async function sendFrom(from: string, port: number, text: string): Promise<void> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve, reject) => s.bind({ address: from, port: 0 }, () => resolve()).once("error", reject));
  await new Promise<void>((resolve, reject) => s.send(Buffer.from(text), port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
  s.close();
}

function collectLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: "info", format: "json", secrets: createSecretRegistry(), write: (l) => void lines.push(JSON.parse(l)) });
  return { log, lines };
}

let h: Harness | undefined;
let tmp: TempDir | undefined;
afterEach(async () => {
  await h?.close();
  tmp?.remove();
  h = tmp = undefined;
});

test("allowedSources empty with qlik: a datagram from a loopback alias that is no node is refused and counted, in one line", async () => {
  tmp = createTempDir("steward-udp-sources-");
  const { log, lines } = collectLogs();
  h = await startHarness({ dir: tmp.path, log });
  const admits = lines.find((l) => String(l.msg).startsWith("datagrams are admitted from"));
  expect(String(admits?.msg)).toStartWith("datagrams are admitted from the Qlik nodes 127.0.0.1");
  for (let i = 0; i < 25; i++) await sendFrom("127.0.0.3", h.udpPort(), forged(`e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d${String(2000 + i).padStart(4, "0")}`));
  await waitFor(async () => (await h!.metric("steward_intake_datagrams_rejected_total", { reason: "source_not_allowed" })) === 25, {
    what: "25 forged datagrams refused",
  });
  expect(await h.metric("steward_intake_datagrams_parsed_total", { kind: "scheduler" })).toBe(0);
  // The first refusal is said at once; the other 24 wait for the minute's summary.
  expect(lines.filter((l) => String(l.msg).startsWith("refused ")).map((l) => l.msg)).toEqual([
    "refused 1 datagram from 1 address not Qlik nodes in the last minute: 127.0.0.3 (1)",
  ]);
  // A real run from the node (the simulator's Scheduler sends from 127.0.0.1) is heard.
  const exec = h.run(IDS.reload, "fail");
  expect(await h.eventFor(exec)).toMatchObject({ kind: "task.failed", executionId: exec });
  const ready = (await (await h.t.request("/ready")).json()) as { components: Record<string, { ok: boolean; detail: string }> };
  expect(ready.components.udp).toMatchObject({ ok: true, detail: expect.stringContaining("datagrams are admitted from the Qlik nodes 127.0.0.1") });
}, 60_000);

test('"*" admits the same sender on purpose', async () => {
  tmp = createTempDir("steward-udp-sources-");
  h = await startHarness({ dir: tmp.path, extraYaml: "udp: { host: 127.0.0.1, port: 0, allowedSources: ['*'] }" });
  await sendFrom("127.0.0.3", h.udpPort(), forged("e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10"));
  await waitFor(async () => (await h!.metric("steward_intake_datagrams_parsed_total", { kind: "scheduler" })) === 1, { what: "the datagram parsed" });
  expect(await h.metric("steward_intake_datagrams_rejected_total", { reason: "source_not_allowed" })).toBe(0);
}, 60_000);
