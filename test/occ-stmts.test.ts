import { test } from "bun:test";
import postgres from "postgres";
import { startOnCallChaosSite, NODES } from "./helpers/on-call-chaos-site";
import { acknowledgeAsListed } from "./helpers/acknowledge-as-listed";
import { waitFor } from "./helpers/wait-for";

test("statements per incident", async () => {
  const site = await startOnCallChaosSite(54);
  try {
    const sql = postgres(site.pg.url, { max: 1 });
    for (const s of ["logging_collector = on", "log_directory = '/tmp/occ-pglogs'", "log_statement = 'all'", "log_line_prefix = '%p '"])
      await sql.unsafe(`ALTER SYSTEM SET ${s}`);
    await sql.end();
    await site.pg.halt("fast");
    await site.pg.resume();
    await Bun.sleep(3_000);
    const acker = acknowledgeAsListed(() => site.members);
    const tasks = site.tasks.slice(0, 20);
    console.log("MARK start", Date.now());
    await Promise.all(tasks.map((t, i) => site.control("POST", `/tasks/${t}/run`, { outcome: "fail", durationMs: 60, node: NODES[i % 3] })));
    await waitFor(() => tasks.every((t) => acker.open.tasks.has(t)) || undefined, { what: "listed", timeoutMs: 60_000 });
    await waitFor(() => [...acker.listed.values()].every((l) => l.ack !== undefined) || undefined, { what: "acked", timeoutMs: 30_000 });
    await Bun.sleep(2_000);
    for (const [i, t] of tasks.entries()) {
      await waitFor(async () => !((await site.control("GET", `/tasks/${t}`)) as { running: boolean }).running, { what: "idle" });
      await site.control("POST", `/tasks/${t}/run`, { outcome: "succeed", durationMs: 60, node: NODES[(i + 1) % 3] });
    }
    await waitFor(() => site.pd.accepted.filter((x) => x.body.event_action === "resolve").length >= 20 || undefined, { what: "resolved", timeoutMs: 60_000 });
    await Bun.sleep(3_000);
    console.log(
      "MARK end",
      Date.now(),
      "pd",
      site.pd.accepted.length,
      "og",
      site.og.accepted.length,
      "hook",
      site.hook.requests.length,
      "listed",
      acker.listed.size,
    );
    await acker.stop();
  } finally {
    await site.stop();
  }
}, 180_000);
