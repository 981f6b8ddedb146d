// Issue 68, item 8: on a machine without wixl/msitools, `npm run build` builds what it can and says it skipped the
// MSI with the one command to run (asked for the MSI by name, it stops before building); `npm run release` stops
// before compiling with that command, and a release that fails half-way leaves no folder in dist/release. No compile:
// the tool lookup finds nothing, and the release's compile step is a stand-in that records it was called.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { planBuild } from "../../../scripts/build";
import { MSI_TOOLS_INSTALL } from "../../../scripts/msi";
import { buildRelease } from "../../../scripts/release";
import { createTempDir } from "../../helpers/temp-dir";

const tmp = createTempDir("steward-release-unit-");
afterAll(() => tmp.remove());

const none = () => undefined;
const onlyUsrBin = (name: string) => (name === "osslsigncode" ? undefined : `/usr/bin/${name}`);

test("npm run build without the MSI tools: every other artefact, the MSI skipped with the command to run", () => {
  const plan = planBuild([], none);
  expect(plan.wantMsi).toBe(false);
  expect(plan.bunTargets).toEqual(["linux-x64", "windows-x64"]);
  expect(plan.skipped).toEqual([
    `the MSI: the MSI needs wixl, msibuild, msiinfo (Debian packages wixl and msitools), not found on this machine: run \`${MSI_TOOLS_INSTALL}\`, then \`npm run build\` again`,
  ]);
  expect(planBuild([], onlyUsrBin)).toEqual({ bunTargets: ["linux-x64", "windows-x64"], wantMsi: true, skipped: [] });
});

test("the MSI asked for by name without its tools: nothing is built, the one command is named", () => {
  expect(() => planBuild(["msi-x64"], none)).toThrow(
    `nothing built: the MSI needs wixl, msibuild, msiinfo (Debian packages wixl and msitools), not found on this machine: run \`${MSI_TOOLS_INSTALL}\`, then build again`,
  );
  expect(planBuild(["linux-x64"], none)).toEqual({ bunTargets: ["linux-x64"], wantMsi: false, skipped: [] });
});

test("npm run release without the MSI tools stops before compiling and leaves nothing", async () => {
  const outRoot = join(tmp.path, "no-tools");
  let compiled = false;
  const compile = async () => {
    compiled = true;
    return [];
  };
  await expect(buildRelease({ outRoot, version: "0.1.0", findTool: none, compile })).rejects.toThrow(
    `no release made: the MSI needs wixl, msibuild, msiinfo (Debian packages wixl and msitools), not found on this machine: run \`${MSI_TOOLS_INSTALL}\`; then \`npm run release\` again`,
  );
  expect(compiled).toBe(false);
  expect(existsSync(outRoot)).toBe(false);
});

test("a release that fails half-way leaves no partial folder, and an earlier release is untouched", async () => {
  const outRoot = join(tmp.path, "half-way");
  mkdirSync(join(outRoot, "steward-0.1.0"), { recursive: true });
  writeFileSync(join(outRoot, "steward-0.1.0", "SHA256SUMS"), "the last good release\n");
  const compile = async (o: { outDir: string }) => {
    writeFileSync(join(o.outDir, "steward-linux-x64"), "half a build");
    throw new Error("the compiler died");
  };
  await expect(buildRelease({ outRoot, version: "0.1.0", findTool: onlyUsrBin, compile })).rejects.toThrow("the compiler died");
  expect(readdirSync(outRoot)).toEqual(["steward-0.1.0"]);
  expect(readdirSync(join(outRoot, "steward-0.1.0"))).toEqual(["SHA256SUMS"]);
});
