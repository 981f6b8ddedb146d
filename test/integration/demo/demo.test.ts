// `steward demo` end to end, as a newcomer runs it: a child process in an empty folder prints the dashboard URL,
// narrates a failed task's alert mail within seconds, serves /health and the inbox, and stops cleanly on SIGINT.
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { startProcess, type RunningProcess } from "../../helpers/child-process";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";

const MAIN = resolve(import.meta.dir, "../../../src/main.ts");
const dir = createTempDir("steward-demo-");
let proc: RunningProcess | undefined;

afterAll(async () => {
  await proc?.stop("SIGKILL", 1_000);
  dir.remove();
});

test("the demo shows a failed task's alert, serves the dashboard, and stops on Ctrl-C", async () => {
  proc = startProcess(process.execPath, [MAIN, "demo"], { cwd: dir.path, env: { ...process.env, NO_COLOR: "1" } });
  const p = proc;
  const dashboard = await waitFor(() => /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/ui)\b/.exec(p.stdout())?.[1] ?? (p.hasExited() ? Promise.reject(new Error(`demo exited:\n${p.output()}`)) : undefined), {
    what: "the dashboard URL",
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  const started = Date.now();
  const alertLine = await waitFor(() => /^.*ALERT MAIL\s+task\.failed\s+→.*$/m.exec(p.stdout())?.[0], { what: "a failed-task alert line", timeoutMs: 30_000, intervalMs: 100 });
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(alertLine).toContain("qlik-ops@demo.example");
  // The failure itself was narrated before its alert.
  expect(p.stdout()).toMatch(/✖ FAILED\s+\S.*/);

  const base = dashboard.replace(/\/ui$/, "");
  const health = await fetch(`${base}/health`);
  expect(health.status).toBe(200);
  expect(((await health.json()) as { status: string }).status).toBe("ok");

  const inbox = await (await fetch(`${base}/ui/inbox`)).text();
  expect(inbox).toContain('data-kind="mail"');
  expect(inbox).toMatch(/task failed/i);
  const overview = await (await fetch(`${base}/ui`)).text();
  expect(overview).toContain('href="/ui/inbox"');

  expect(existsSync(join(dir.path, "data/demo/steward.db"))).toBe(true);
  const code = await p.stop("SIGINT", 15_000);
  expect(p.stdout()).toContain("Demo stopped.");
  expect(code).toBe(0);
}, 120_000);
