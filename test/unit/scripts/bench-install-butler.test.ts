// scripts/bench-install-butler.ts finds Butler's release in its git repository and installs a tree once: a second run
// keeps what is there, a tree of another version is refused. Runs git and npm on local folders only (the tree's one
// dependency is a local folder, so npm reaches no registry).
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { butlerCommit, installButler } from "../../../scripts/bench-install-butler";

const root = mkdtempSync(join(tmpdir(), "bench-install-butler-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  const r = Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

function commitVersion(repo: string, version: string): string {
  writeFileSync(join(repo, "package.json"), `${JSON.stringify({ name: "butler", version }, null, 4)}\n`);
  git(repo, "add", "package.json");
  git(repo, "commit", "-q", "-m", `release ${version}`);
  return git(repo, "rev-parse", "HEAD");
}

test("the release tag wins; without one, the newest commit whose package.json says the version; else a clear refusal", () => {
  const repo = join(root, "repo");
  mkdirSync(repo);
  git(repo, "init", "-q");
  const tagged = commitVersion(repo, "16.0.4");
  git(repo, "tag", "butler-v16.0.4");
  commitVersion(repo, "16.0.5");
  const untagged = commitVersion(repo, "16.0.6");
  commitVersion(repo, "16.0.7");
  expect(butlerCommit(join(repo, ".git"), "16.0.4")).toBe(tagged);
  expect(butlerCommit(join(repo, ".git"), "16.0.6")).toBe(untagged);
  expect(() => butlerCommit(join(repo, ".git"), "16.0.9")).toThrow("no tag butler-v16.0.9 or v16.0.9 and no commit whose package.json says 16.0.9");
});

test("a tree is installed once with its dependencies; a second run keeps it; another version is refused", () => {
  const tree = join(root, "tree");
  mkdirSync(join(tree, "src"), { recursive: true });
  mkdirSync(join(tree, "dep"));
  writeFileSync(join(tree, "dep", "package.json"), JSON.stringify({ name: "dep", version: "1.0.0" }));
  writeFileSync(join(tree, "src", "butler.js"), "console.log('butler');\n");
  writeFileSync(join(tree, "package.json"), JSON.stringify({ name: "butler", version: "16.0.4", dependencies: { dep: `file:${join(tree, "dep")}` } }));
  const dir = join(root, "installed", "butler");
  installButler(dir, "16.0.4", tree);
  expect(existsSync(join(dir, "src", "butler.js"))).toBe(true);
  expect(existsSync(join(dir, "node_modules", "dep", "package.json"))).toBe(true);
  expect(existsSync(`${dir}.partial`)).toBe(false);
  const marker = readFileSync(join(dir, ".steward-bench-install.json"), "utf8");

  // Kept as it is: no source needed, nothing rewritten.
  writeFileSync(join(dir, "src", "butler.js"), "console.log('kept');\n");
  installButler(dir, "16.0.4", undefined);
  expect(readFileSync(join(dir, "src", "butler.js"), "utf8")).toBe("console.log('kept');\n");
  expect(readFileSync(join(dir, ".steward-bench-install.json"), "utf8")).toBe(marker);

  expect(() => installButler(join(root, "other"), "16.0.5", tree)).toThrow("gave Butler 16.0.4, not 16.0.5");
  expect(() => installButler(join(root, "none"), "16.0.4", undefined)).toThrow("give --source");
  // Never into the repository: its code is only installed and run (a folder git ignores, should this ever pass).
  const inside = join(import.meta.dir, "../../../.tmp/bench-install-butler-inside");
  expect(() => installButler(inside, "16.0.4", tree)).toThrow("is inside the repository");
  expect(existsSync(`${inside}.partial`)).toBe(false);
});
