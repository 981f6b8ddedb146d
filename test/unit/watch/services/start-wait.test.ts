// `steward service start|stop` on Windows waits for the state the SCM reports, polling sc.exe every half second. A
// wait reads the state only (`sc query`); how the service starts and as whom (`sc qc`) is for `service status`.
// Under Wine every sc.exe is a Windows process of its own, and the installer's start and the service tests wait so.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serviceCommand } from "../../../../src/show/cli/service";
import type { CommandRunner } from "../../../../src/watch/services/command-runner";

const fixture = (name: string) => readFileSync(join(import.meta.dir, "fixtures/sc", name), "utf8");

/** An SCM that reports `states` one `sc query` after another (the last one from then on); every call recorded. */
function scm(states: string[]) {
  const calls: string[] = [];
  let queries = 0;
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args].join(" "));
    if (args[0] === "query") {
      const state = states[Math.min(queries++, states.length - 1)]!;
      return { code: 0, stdout: fixture(state === "RUNNING" ? "query-running.wine.txt" : "query-stopped.wine.txt"), stderr: "", timedOut: false };
    }
    if (args[0] === "qc") return { code: 0, stdout: fixture("qc-auto-delayed.en.txt"), stderr: "", timedOut: false };
    return { code: 0, stdout: "", stderr: "", timedOut: false };
  };
  return { run, calls };
}

async function service(sub: string, states: string[]) {
  const s = scm(states);
  const out: string[] = [];
  const code = await serviceCommand([sub, "--name", "Steward", "--platform", "windows"], {
    out: (l) => out.push(l),
    run: s.run,
    self: ["C:\\Steward\\steward.exe"],
  });
  return { code, out, calls: s.calls };
}

describe("service start and stop wait on sc query alone", () => {
  test("a start that runs at the second look: two queries, no sc qc", async () => {
    const r = await service("start", ["STOPPED", "RUNNING"]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual(["Steward: RUNNING"]);
    expect(r.calls).toEqual(["sc.exe start Steward", "sc.exe query Steward", "sc.exe query Steward"]);
  });

  test("a start that stops at once is told after four looks, each one sc query", async () => {
    const r = await service("start", ["STOPPED"]);
    expect(r.code).toBe(1);
    expect(r.out).toEqual(["Steward: STOPPED"]);
    expect(r.calls).toEqual(["sc.exe start Steward", ...Array(4).fill("sc.exe query Steward")]);
  });

  test("status still says how the service starts and as whom (sc qc)", async () => {
    const r = await service("status", ["RUNNING"]);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual(["sc.exe query Steward", "sc.exe qc Steward"]);
    expect(r.out[0]).toStartWith("Steward: RUNNING (start ");
  });
});
