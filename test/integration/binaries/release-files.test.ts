// The files beside the release artefacts: the SBOM (scripts/sbom.ts over this checkout's package-lock.json)
// validated against the CycloneDX 1.6 JSON schema by CycloneDX's own library, each component's hash checked
// against the package npm installed, and
// SHA256SUMS checked by coreutils' sha256sum -c, the command the docs tell administrators to run.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pkg from "../../../package.json" with { type: "json" };
import { sbomName, SHA256SUMS, writeSbom, writeSha256Sums } from "../../../scripts/release-files";
import { createTempDir } from "../../helpers/temp-dir";

const REPO_ROOT = resolve(import.meta.dir, "../../..");
const tmp = createTempDir("steward-release-");
afterAll(() => tmp.remove());

interface Component {
  type: string;
  name: string;
  group?: string;
  version: string;
  "bom-ref": string;
  purl?: string;
  hashes?: { alg: string; content: string }[];
}
interface Bom {
  bomFormat: string;
  specVersion: string;
  metadata: { component: { name: string; version: string; "bom-ref": string } };
  components: Component[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

const fullName = (c: Component) => (c.group ? `${c.group}/${c.name}` : c.name);
const installedVersion = (name: string) =>
  (JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

describe("SBOM", () => {
  let text = "";
  let bom: Bom;
  const runtime = { name: "bun", version: Bun.version, purl: `pkg:npm/bun@${Bun.version}`, in: ["steward-windows-x64.exe"] };

  beforeAll(() => {
    const path = writeSbom({ outDir: join(tmp.path, "one"), runtimes: [runtime] });
    expect(path).toBe(join(tmp.path, "one", sbomName(pkg.version)));
    text = readFileSync(path, "utf8");
    bom = JSON.parse(text) as Bom;
  }, 120_000);

  test("is a valid CycloneDX 1.6 document (CycloneDX's strict JSON validator)", async () => {
    expect(bom).toMatchObject({ bomFormat: "CycloneDX", specVersion: "1.6", metadata: { component: { name: "steward", version: pkg.version } } });
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text)).toBeNull();
  });

  test("lists every production dependency at its installed version, and no development one", () => {
    const byName = new Map(bom.components.map((c) => [fullName(c), c]));
    for (const dep of Object.keys(pkg.dependencies)) {
      expect({ dep, version: byName.get(dep)?.version }).toEqual({ dep, version: installedVersion(dep) });
      expect(byName.get(dep)!.purl).toStartWith("pkg:npm/");
    }
    // Build and test tools are absent (a dev dependency that a production package also needs, like @types/node
    // for mqtt's typings, is listed through that package).
    const packages = new Set(bom.components.filter((c) => c.type !== "platform").map(fullName));
    for (const dev of ["typescript", "bun", "deno", "playwright-core", "@cyclonedx/cyclonedx-library", "bun-types", "libxmljs2"]) {
      expect({ dev, listed: packages.has(dev) }).toEqual({ dev, listed: false });
    }
    const rootRef = bom.metadata.component["bom-ref"];
    const direct = bom.dependencies.find((d) => d.ref === rootRef)!.dependsOn!.filter((r) => !r.includes("|runtime:"));
    expect(direct.sort()).toEqual(
      Object.keys(pkg.dependencies)
        .map((d) => `${rootRef}|${d}@${installedVersion(d)}`)
        .sort(),
    );
  });

  test("every npm component carries the SHA-512 of the tarball npm installed (the lock file's integrity)", () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { integrity?: string }> };
    const libraries = bom.components.filter((c) => c.type === "library");
    expect(libraries.length).toBeGreaterThan(20);
    for (const c of libraries) {
      const sha = c.hashes?.find((h) => h.alg === "SHA-512")?.content ?? "";
      expect({ c: fullName(c), hex: /^[0-9a-f]{128}$/.test(sha) }).toEqual({ c: fullName(c), hex: true });
    }
    const zod = libraries.find((c) => c.name === "zod")!;
    const integrity = lock.packages["node_modules/zod"]!.integrity!;
    expect(zod.hashes![0]!.content).toBe(Buffer.from(integrity.slice("sha512-".length), "base64").toString("hex"));
  });

  test("names the runtime compiled into the executables, which the npm tree does not show", () => {
    const bun = bom.components.find((c) => c.type === "platform" && c.name === "bun")!;
    expect(bun).toMatchObject({ version: Bun.version, purl: `pkg:npm/bun@${Bun.version}` });
    expect(bom.dependencies.find((d) => d.ref === bom.metadata.component["bom-ref"])!.dependsOn).toContain(bun["bom-ref"]);
  });

  test("is reproducible: a second run writes the same bytes", () => {
    const again = writeSbom({ outDir: join(tmp.path, "two"), runtimes: [runtime] });
    expect(readFileSync(again, "utf8")).toBe(text);
  }, 120_000);
});

describe("SHA256SUMS", () => {
  const sha256sum = Bun.which("sha256sum");

  test.skipIf(!sha256sum)("sha256sum -c accepts it, and catches a changed file", async () => {
    const dir = join(tmp.path, "dist");
    mkdirSync(dir, { recursive: true });
    const files = ["steward-9.9.9-x64.msi", "steward-windows-x64.exe", "steward-9.9.9-sbom.cdx.json"].map((n, i) => {
      writeFileSync(join(dir, n), `artefact ${i}\n`.repeat(1000 + i));
      return join(dir, n);
    });
    const sums = await writeSha256Sums(files);
    expect(sums).toBe(join(dir, SHA256SUMS));
    expect(
      readFileSync(sums, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("  ")[1]),
    ).toEqual(["steward-9.9.9-sbom.cdx.json", "steward-9.9.9-x64.msi", "steward-windows-x64.exe"]);
    const check = () => Bun.spawnSync([sha256sum!, "-c", SHA256SUMS], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    const ok = check();
    expect({ code: ok.exitCode, out: ok.stdout.toString() }).toEqual({
      code: 0,
      out: files
        .map((f) => `${f.slice(dir.length + 1)}: OK\n`)
        .sort()
        .join(""),
    });
    writeFileSync(files[0]!, "tampered\n");
    const bad = check();
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stdout.toString()).toContain("steward-9.9.9-x64.msi: FAILED");
  });

  test("refuses artefacts from two folders (the names in it would not find them)", async () => {
    mkdirSync(join(tmp.path, "x"), { recursive: true });
    mkdirSync(join(tmp.path, "y"), { recursive: true });
    writeFileSync(join(tmp.path, "x/a"), "a");
    writeFileSync(join(tmp.path, "y/b"), "b");
    await expect(writeSha256Sums([join(tmp.path, "x/a"), join(tmp.path, "y/b")])).rejects.toThrow("is not in");
  });
});
