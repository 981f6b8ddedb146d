// A site whose appenders feed two Stewards, one of them stopped (its port closed): every datagram still reaches
// the live one. On one shared socket, the "port unreachable" of the dead target was reported on the next send
// and that datagram, to the live Steward, was lost (so in `npm run demo -- --cluster`, after stopping a Steward,
// the other heard nothing and alerts waited for reconciliation).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { waitFor } from "../../helpers/wait-for";
import { startTestSim, udpReceiver, type TestSim, type UdpReceiver } from "./helpers";

const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
let t: TestSim;
let live: UdpReceiver;
let deadPort = 0;

beforeAll(async () => {
  live = await udpReceiver();
  // A port that was bound and closed again: nothing listens there.
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  deadPort = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  t = await startTestSim({ settings: { udp: { targets: [{ host: "127.0.0.1", port: deadPort }, { host: "127.0.0.1", port: live.port }] } } });
});
afterAll(async () => {
  await t.stop();
  await live.close();
});

test("with one target down, every datagram of every run reaches the other", async () => {
  const runs: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await t.control.send("POST", `/tasks/${TASK}/run`, { outcome: i % 2 ? "succeed" : "fail" });
    expect(r.status).toBe(201);
    runs.push(r.json().executionId);
    await waitFor(() => !t.sim.tasks.isRunning(TASK), { timeoutMs: 5_000, intervalMs: 10, what: "the run to finish" });
  }
  const sent = t.sim.udp.recent().filter((d) => runs.some((e) => d.text.includes(`;${e};`))).reduce((n, d) => n + d.copies, 0);
  expect(sent).toBeGreaterThanOrEqual(runs.length);
  await waitFor(() => live.messages.length >= sent || undefined, { what: `${sent} datagrams at the live target (got ${live.messages.length})`, timeoutMs: 5_000 });
  for (const e of runs) expect(live.messages.some((m) => m.toString("utf8").includes(`;${e};`))).toBe(true);
});
