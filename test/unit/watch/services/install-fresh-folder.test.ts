// --fresh-folder, passed by the MSI on a first install: a %ProgramData%\Steward that already holds files someone put
// there (a steward.env planting STEWARD_* overrides, a steward.yaml, a data folder) is refused before anything is
// registered or any config read, naming what was found; an empty folder, or one holding only the installer's own
// report, installs. sc.exe cannot run here: a recorder answers (the Wine test runs the real MSI).
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serviceCommand } from "../../../../src/show/cli/service";
import type { CommandRunner } from "../../../../src/watch/services/command-runner";
import { createTempDir } from "../../../helpers/temp-dir";

const tmp = createTempDir("steward-fresh-");
afterAll(() => tmp.remove());
const EXE = "C:\\Program Files\\Steward\\steward.exe";

function recorder() {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    if (file === "sc.exe" && args[0] === "query") return { code: 1060, stdout: "does not exist", stderr: "", timedOut: false };
    return { code: 0, stdout: "", stderr: "", timedOut: false };
  };
  return { run, calls };
}

const install = (own: string, r: ReturnType<typeof recorder>, out: string[], extra: string[] = []) =>
  serviceCommand(
    [
      "install",
      "--create-config",
      "--config",
      join(own, "steward.yaml"),
      "--platform",
      "windows",
      "--own-folder",
      `${own}/.`,
      "--report",
      join(own, "installer.log"),
      ...extra,
    ],
    { out: (l) => void out.push(l), run: r.run, self: [EXE] },
  );

test("a planted steward.env and steward.yaml refuse a first install, naming them; nothing is registered or written", async () => {
  const own = join(tmp.path, "planted/Steward");
  mkdirSync(own, { recursive: true });
  writeFileSync(join(own, "steward.yaml"), "udp: { enabled: false }\n");
  writeFileSync(join(own, "steward.env"), "STEWARD_HTTP__HOST=0.0.0.0\nSTEWARD_SECURITY__ALLOW_UNAUTHENTICATED=true\n");
  const r = recorder();
  const out: string[] = [];
  expect(await install(own, r, out, ["--fresh-folder"])).toBe(1);
  const said = out.join("\n");
  expect(said).toContain(`service install: refused: ${own} already holds files this install did not create (steward.env, steward.yaml)`);
  expect(said).toContain("ADOPTFOLDER=1");
  expect(r.calls.some((c) => c[0] === "sc.exe" && c[1] === "create")).toBe(false);
  expect(readFileSync(join(own, "installer.log"), "utf8")).toContain("refused");
  // Adopted anyway (ADOPTFOLDER=1: no --fresh-folder), the planted overrides are still refused by the config's
  // override policy, and nothing is registered.
  const adopted = recorder();
  await expect(install(own, adopted, [])).rejects.toThrow(`environment variable STEWARD_HTTP__HOST (from ${join(own, "steward.env")}) sets http.host`);
  expect(adopted.calls.some((c) => c[0] === "sc.exe" && c[1] === "create")).toBe(false);
  // Once the steward.env is gone the adopted folder's config is kept and used.
  writeFileSync(join(own, "steward.env"), "# checked by an administrator\n");
  const clean = recorder();
  expect(await install(own, clean, [])).toBe(0);
  expect(clean.calls.some((c) => c[0] === "sc.exe" && c[1] === "create")).toBe(true);
  expect(readFileSync(join(own, "steward.yaml"), "utf8")).toBe("udp: { enabled: false }\n");
});

test("an empty folder, or one holding only the installer's own report, installs with --fresh-folder", async () => {
  const own = join(tmp.path, "clean/Steward");
  mkdirSync(own, { recursive: true });
  writeFileSync(join(own, "installer.log"), "== an earlier report\n");
  const r = recorder();
  expect(await install(own, r, [], ["--fresh-folder"])).toBe(0);
  expect(existsSync(join(own, "steward.yaml"))).toBe(true); // the starter config, written after the check
  expect(r.calls.some((c) => c[0] === "sc.exe" && c[1] === "create")).toBe(true);
});
