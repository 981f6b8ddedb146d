// Both runtime implementations answer the same: test/deno/runtime-probe.ts exercises serve (peer address, body
// limit, WebSocket, stop), spawn (output, exit code, deadline, missing program), the self command and the
// loading of the Windows bindings under Bun and under Deno. `deno check` proves the hand-typed Deno API subset
// (src/platform/runtime/deno/api.ts) and the Deno implementation against Deno's own declarations.
import { describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { DENO_RUN_FLAGS, DENO_SERVICE_FLAGS } from "../../../../src/platform/runtime/deno/permissions";
import pkg from "../../../../package.json" with { type: "json" };
import { parseKeyHash, verifyApiKey } from "../../../../src/platform/security/api-keys";

const REPO = resolve(import.meta.dir, "../../../..");
const BUN = join(REPO, "node_modules/.bin/bun");
const DENO = join(REPO, "node_modules/.bin/deno");
const PROBE = join(REPO, "test/deno/runtime-probe.ts");
const MAIN = join(REPO, "src/main.ts");

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(argv, { cwd: REPO, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" }, timeout: 90_000 });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const EXPECTED = {
  portBound: true,
  get: { peer: "127.0.0.1", bytes: 0 },
  smallPost: 200,
  largePost: 413,
  ws: ["hello t1", "echo ping"],
  refusedAfterStop: true,
  spawn: { code: 3, stdout: "out", stderr: "err", timedOut: false },
  deadline: { code: -1, timedOut: true, killedInTime: true },
  missingProgram: "threw",
  selfRunsMainScript: true,
  win32: "advapi32 not loadable",
};

describe("runtime implementations", () => {
  test("Bun", async () => {
    const r = await run([BUN, PROBE]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(r.stdout)).toEqual({ runtime: "bun", ...EXPECTED });
  }, 60_000);

  test("Deno, with the service permissions", async () => {
    const r = await run([DENO, "run", "--no-prompt", ...DENO_SERVICE_FLAGS, PROBE]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(r.stdout)).toEqual({ runtime: "deno", ...EXPECTED });
  }, 60_000);

  test("deno check: the Deno implementation and its typed API subset match Deno's declarations", async () => {
    const r = await run([DENO, "check", "--sloppy-imports", "test/deno/api-conformance.ts"]);
    expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
  }, 90_000);

  test("standard input reaches the CLI on both runtimes (apikey hash)", async () => {
    for (const argv of [
      [BUN, MAIN],
      [DENO, "run", "--no-prompt", ...DENO_RUN_FLAGS, MAIN],
    ]) {
      const proc = Bun.spawn([...argv, "apikey", "hash"], {
        cwd: REPO,
        stdin: new TextEncoder().encode("stw_from_stdin\n"),
        stdout: "pipe",
        stderr: "pipe",
        env: { ...process.env, NO_COLOR: "1" },
        timeout: 60_000,
      });
      const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      expect({ runtime: argv[0], code, stderr }).toEqual({ runtime: argv[0], code: 0, stderr: "" });
      expect(verifyApiKey("stw_from_stdin", parseKeyHash(stdout.trim()))).toBe(true);
    }
  }, 90_000);

  test("npm run start:deno asks for exactly the documented `steward run` permissions", () => {
    expect(pkg.scripts["start:deno"]).toBe(`deno run ${DENO_RUN_FLAGS.join(" ")} src/main.ts run`);
  });
});
