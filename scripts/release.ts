// `npm run release`: the whole release folder, dist/release/steward-<version>/: both executables, the MSI, a zip for
// installing without the MSI (steward.exe, example configs, the docs as a static site), the docs site itself, the
// Qlik Sense extension's zip, the SBOM and SHA256SUMS. With a signing key (STEWARD_SIGN_PFX or STEWARD_SIGN_CERT + STEWARD_SIGN_KEY, and
// STEWARD_SIGN_PASSWORD) the exe is signed before the MSI packs it, then the MSI; SHA256SUMS lists the signed files.
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { binaryName, buildBinaries, buildVersion, type BuildOptions, type BuiltBinary } from "./build";
import { buildExtensionZip } from "./build-extension";
import { writeDocsSite } from "./docs-site";
import { buildMsi } from "./msi";
import { type EmbeddedRuntime, writeSbom, writeSha256Sums } from "./release-files";
import { type SigningKey, signFile, signingKeyFromEnv } from "./sign";
import { type ZipEntry, writeZip } from "./zip";

const REPO_ROOT = resolve(import.meta.dir, "..");

export interface ReleaseOptions {
  outRoot?: string;
  sign?: SigningKey;
  version?: string;
  /** Compiles the executables into `outDir` (default buildBinaries); the tests pass one that copies builds they share. */
  compile?: (o: BuildOptions & { outDir: string }) => Promise<BuiltBinary[]>;
}

export interface Release {
  dir: string;
  /** Every file SHA256SUMS lists, by name. */
  files: string[];
  signed: boolean;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

export async function buildRelease(o: ReleaseOptions = {}): Promise<Release> {
  const version = o.version ?? pkg.version;
  const dir = resolve(o.outRoot ?? join(REPO_ROOT, "dist/release"), `steward-${version}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const say = (line: string) => console.log(`[release] ${line}`);

  say(`compiling Steward ${buildVersion()} for Linux and Windows (a few minutes the first time)…`);
  const built = await (o.compile ?? buildBinaries)({ outDir: dir });
  const exe = join(dir, binaryName("windows-x64"));
  if (o.sign) {
    signFile(exe, o.sign);
    say(`signed ${binaryName("windows-x64")}`);
  } else say("no signing key given (STEWARD_SIGN_PFX): the exe and the MSI are not signed");
  say("building the MSI…");
  const msi = buildMsi({ exe, version, outDir: dir });
  if (o.sign) {
    signFile(msi.path, o.sign, `Steward ${version}`);
    say(`signed ${relative(dir, msi.path)}`);
  }

  const docsDir = join(dir, "docs");
  say(`docs site: ${writeDocsSite(docsDir)} pages`);
  const zipPath = join(dir, `steward-${version}-windows-x64.zip`);
  const configs = readdirSync(join(REPO_ROOT, "config")).filter((f) => /\.(ya?ml|json)$/.test(f) && statSync(join(REPO_ROOT, "config", f)).isFile());
  const entries: ZipEntry[] = [
    { name: "steward/steward.exe", from: exe },
    { name: "steward/README.txt", from: join(REPO_ROOT, "installer/zip-readme.txt") },
    ...configs.map((f) => ({ name: `steward/config/${f}`, from: join(REPO_ROOT, "config", f) })),
    ...filesUnder(docsDir).map((f) => ({ name: `steward/docs/${relative(docsDir, f).split("\\").join("/")}`, from: f })),
  ];
  writeZip(zipPath, entries);
  say(`zip: ${entries.length} files`);

  const runtimes: EmbeddedRuntime[] = [
    { name: "bun", version: Bun.version, purl: `pkg:npm/bun@${Bun.version}`, in: [...built.map((b) => binaryName(b.target)), "the MSI's steward.exe"] },
  ];
  // The Qlik Sense extension that shows an app's freshness in a sheet (docs/status.md), imported in the QMC.
  const extension = buildExtensionZip(dir);
  const sbom = writeSbom({ outDir: dir, version, runtimes });
  const artefacts = [...built.map((b) => b.path), msi.path, zipPath, extension, sbom];
  await writeSha256Sums(artefacts);
  say(`done: ${dir}`);
  return { dir, files: artefacts.map((f) => relative(dir, f)).sort(), signed: Boolean(o.sign) };
}

if (import.meta.main) {
  try {
    await buildRelease({ ...(signingKeyFromEnv() ? { sign: signingKeyFromEnv()! } : {}) });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
