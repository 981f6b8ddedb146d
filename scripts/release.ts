// `npm run release`: the whole release folder, dist/release/steward-<version>/: both executables, the MSI, a zip for
// installing without the MSI (steward.exe, example configs, the docs as a static site), the docs site itself, the
// Qlik Sense extension's zip, the SBOM and SHA256SUMS. With a signing key (STEWARD_SIGN_PFX or STEWARD_SIGN_CERT + STEWARD_SIGN_KEY, and
// STEWARD_SIGN_PASSWORD) the exe is signed before the MSI packs it, then the MSI; SHA256SUMS lists the signed files.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { binaryName, buildBinaries, buildVersion, type BuildOptions, type BuiltBinary } from "./build";
import { buildExtensionZip } from "./build-extension";
import { writeDocsSite } from "./docs-site";
import { buildMsi, type FindTool, findTool, missingMsiTools, msiToolsAdvice } from "./msi";
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
  /** Where the MSI and signing tools are found (tests pass one that finds none). */
  findTool?: FindTool;
}

/** What a release needs on this machine beyond Bun, checked before anything is compiled: [what, the command to run]. */
export function releasePrerequisites(o: { sign?: SigningKey; findTool?: FindTool }): string[] {
  const find = o.findTool ?? findTool;
  const problems: string[] = [];
  const msi = missingMsiTools(find);
  if (msi.length > 0) problems.push(msiToolsAdvice(msi));
  if (o.sign && !find("osslsigncode")) problems.push("signing needs osslsigncode (Debian package osslsigncode): run `sudo apt-get install -y osslsigncode`");
  return problems;
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
  const problems = releasePrerequisites(o);
  // Before anything is compiled or written: a release is whole or not made at all.
  if (problems.length > 0) throw new Error(`no release made: ${problems.join("; ")}; then \`npm run release\` again`);
  const root = resolve(o.outRoot ?? join(REPO_ROOT, "dist/release"));
  const final = join(root, `steward-${version}`);
  // Built in a folder beside the final one and renamed into place at the end; a failure removes it.
  const dir = join(root, `.steward-${version}.partial-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const made = await assemble(o, version, dir);
    rmSync(final, { recursive: true, force: true });
    renameSync(dir, final);
    console.log(`[release] done: ${final}`);
    return { dir: final, files: made.files, signed: made.signed };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function assemble(o: ReleaseOptions, version: string, dir: string): Promise<{ files: string[]; signed: boolean }> {
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
  return { files: artefacts.map((f) => relative(dir, f)).sort(), signed: Boolean(o.sign) };
}

if (import.meta.main) {
  try {
    await buildRelease({ ...(signingKeyFromEnv() ? { sign: signingKeyFromEnv()! } : {}) });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
