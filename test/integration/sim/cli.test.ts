// `steward sim`: usage errors, --help, an in-process run, and a compiled Linux binary that runs with the
// embedded site (no files on disk), prints where it listens, answers, and exits 0 on SIGTERM.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { simCommand } from "../../../src/sim/cli";
import { startProcess } from "../../helpers/child-process";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { sharedCertDir } from "./helpers";

const dirs: { remove(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe("sim CLI", () => {
  test("--help prints usage and exits 0", async () => {
    const c = capture();
    expect(await simCommand(["--help"], c.io)).toBe(0);
    expect(c.out.join("\n")).toContain("Usage: steward sim [options]");
    expect(c.out.join("\n")).toContain("--udp-target HOST:PORT");
  });

  test("usage errors exit 2 with a reason", async () => {
    for (const [args, why] of [
      [["--generation", "newest"], "--generation must be current, legacy or both"],
      [["--udp-target", "nohost"], "--udp-target must be host:port"],
      [["--qrs-port", "70000"], "--qrs-port must be a port number"],
      [["--bogus"], "Unknown option"],
    ] as const) {
      const c = capture();
      expect(await simCommand([...args], c.io)).toBe(2);
      expect(c.err[0]).toContain(why);
    }
  });

  test("an invalid site file exits 1 naming the line", async () => {
    const d = createTempDir("steward-sim-cli-");
    dirs.push(d);
    const site = join(d.path, "site.yaml");
    writeFileSync(site, "nodes:\n  - name: a\n    hostname: b\n");
    const c = capture();
    expect(await simCommand(["--site", site, "--certs", sharedCertDir(), "--qrs-port", "0", "--engine-port", "0", "--control-port", "0", "--version-port", "0"], c.io)).toBe(1);
    expect(c.err.join("\n")).toContain(`${site}:3:5 nodes[0].hostname: unknown key 'hostname'`);
  });

  test("a port already in use exits 1 naming the port", async () => {
    const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("busy") });
    try {
      const c = capture();
      const args = ["--certs", sharedCertDir(), "--qrs-port", "0", "--engine-port", String(busy.port), "--control-port", "0", "--version-port", "0"];
      expect(await simCommand(args, c.io)).toBe(1);
      expect(c.err.join("\n")).toContain(`Engine: cannot listen on port ${busy.port}`);
    } finally {
      busy.stop(true);
    }
  });

  test("in-process run prints the listeners and stops on abort", async () => {
    const c = capture();
    const ac = new AbortController();
    const done = simCommand(
      ["--certs", sharedCertDir(), "--qrs-port", "0", "--engine-port", "0", "--control-port", "0", "--version-port", "0", "--udp-target", "127.0.0.1:9", "--generation", "legacy", "--no-schedules"],
      { ...c.io, signal: ac.signal },
    );
    await waitFor(() => c.out.some((l) => l.startsWith("Press Ctrl+C")), { timeoutMs: 10_000 });
    const control = /Control\s+(http:\/\/\S+?)\//.exec(c.out.join("\n"))![1]!;
    expect((await (await fetch(`${control}/health`)).json()).ok).toBe(true);
    expect(c.out.join("\n")).toMatch(/Version {3}https:\/\/127\.0\.0\.1:\d+\/v1\/systeminfo/);
    expect((await (await fetch(`${control}/settings`)).json()).udp).toMatchObject({ targets: [{ host: "127.0.0.1", port: 9 }], generation: "legacy" });
    ac.abort();
    expect(await done).toBe(0);
    expect(c.out.at(-1)).toBe("Simulator stopped.");
  });

  test("compiled Linux binary: embedded site, listens, exits 0 on SIGTERM", async () => {
    const d = createTempDir("steward-sim-bin-");
    dirs.push(d);
    const entry = join(d.path, "entry.ts");
    writeFileSync(entry, `import { simCommand } from ${JSON.stringify(resolve("src/sim/cli.ts"))};\nprocess.exit(await simCommand(process.argv.slice(2)));\n`);
    const exe = join(d.path, "steward-sim");
    const build = Bun.spawnSync([process.execPath, "build", "--compile", "--target=bun-linux-x64", entry, "--outfile", exe], { stdout: "pipe", stderr: "pipe" });
    expect(build.exitCode).toBe(0);
    const p = startProcess(exe, ["--certs", join(d.path, "certs"), "--qrs-port", "0", "--engine-port", "0", "--control-port", "0", "--version-port", "0"], { cwd: d.path });
    try {
      await waitFor(() => p.stdout().includes("Press Ctrl+C"), { timeoutMs: 15_000, what: "simulator banner" });
      expect(p.stdout()).toContain("Site      3 nodes, 14 apps, 23 tasks, 8 users");
      const control = /Control\s+(http:\/\/\S+?)\//.exec(p.stdout())![1]!;
      expect(((await (await fetch(`${control}/tasks`)).json()) as unknown[]).length).toBe(23);
    } finally {
      expect(await p.stop("SIGTERM")).toBe(0);
    }
    expect(p.stdout()).toContain("Simulator stopped.");
  }, 60_000);
});
