// CPU per failure datagram in-process (issue 89): Steward on its default config (SQLite, in a temporary folder), the
// bench's failure datagrams handed to the intake `--per-turn` at a time, one turn of the event loop apart, faster than
// they are worked off; the process's CPU from the first datagram until every run is announced and its writes are
// committed, per datagram. No sender and no socket share the cores, so two trees compare on a busy machine better
// than over UDP. The first round warms the JIT and is not counted. Prints the commits the runs took too.
// `--rate N` paces them instead: N a second on the wall (the bench's 1,000/s, where each run is worked off before the
// next arrives and a batch's fixed costs fall on one or two runs).
//   bun scripts/bench-intake-cpu.ts [--per-turn 8 | --rate 1000] [--datagrams 4000] [--rounds 3] [--yaml 'intake: { concurrency: 4 }']
import { parseArgs } from "node:util";
import { failedTaskDatagram } from "./bench-udp-load";
import { createTestApp } from "../test/helpers/app";
import type { SqliteSqlDb } from "../src/platform/store/sqlite-db";

const { values } = parseArgs({
  options: { "per-turn": { type: "string" }, rate: { type: "string" }, datagrams: { type: "string" }, rounds: { type: "string" }, yaml: { type: "string" } },
});
const perTurn = Number(values["per-turn"] ?? 8);
const n = Number(values.datagrams ?? 4000);
const rate = values.rate === undefined ? undefined : Number(values.rate);
const rounds = Number(values.rounds ?? 3);
const t = createTestApp(values.yaml ?? "");
await t.app.start();
const FROM = { address: "127.0.0.1", port: 50_000 };
const emitted = () => t.app.intake.counters.emitted.get({ kind: "task.failed", source: "udp" });
const seam = t.app.store.sql as unknown as SqliteSqlDb;
const perDatagram: number[] = [];
let commits = 0;
try {
  for (let r = 0; r <= rounds; r++) {
    const before = emitted();
    const commitsBefore = seam.batches.transactions + t.app.store.writes.stats.transactions;
    const c0 = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      t.app.intake.handleDatagram(failedTaskDatagram(i, 1000 + r), FROM);
      if (rate !== undefined) {
        const due = start + ((i + 1) * 1000) / rate;
        while (performance.now() < due) await Bun.sleep(Math.max(0, due - performance.now()));
      } else if (i % perTurn === perTurn - 1) await new Promise((res) => setImmediate(res));
    }
    for (let i = 0; i < 6000 && emitted() - before < n; i++) await Bun.sleep(5);
    await t.app.intake.settled();
    await t.app.store.writes.settled();
    const c = process.cpuUsage(c0);
    if (emitted() - before !== n) throw new Error(`round ${r}: ${emitted() - before} of ${n} runs announced`);
    if (r === 0) continue;
    perDatagram.push((c.user + c.system) / n);
    commits += seam.batches.transactions + t.app.store.writes.stats.transactions - commitsBefore;
  }
} finally {
  await t.close();
}
console.log(
  `${rate === undefined ? `per turn ${perTurn}` : `${rate}/s`}: µs of CPU a datagram ${perDatagram.map((x) => x.toFixed(0)).join(" ")} (best ${Math.min(...perDatagram).toFixed(0)}); ` +
    `${commits} commits for ${rounds * n} runs`,
);
process.exit(0);
