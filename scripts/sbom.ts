// A CycloneDX 1.6 SBOM of the npm packages bundled into Steward, read from package-lock.json alone: the lock file is
// what `npm ci` installs, and it carries each package's version, licence and integrity hash (so every component
// has its SHA-512). No generator package: the one we used pulled a C++ XML library into every `npm ci`.
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface LockPackage {
  version?: string;
  integrity?: string;
  license?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface LockFile {
  name: string;
  version: string;
  lockfileVersion: number;
  packages: Record<string, LockPackage>;
}

export interface SbomComponent {
  type: string;
  name: string;
  group?: string;
  version: string;
  "bom-ref": string;
  purl?: string;
  description?: string;
  hashes?: { alg: string; content: string }[];
  licenses?: { license: { id: string } }[] | { expression: string }[];
  properties?: { name: string; value: string }[];
}

export interface Sbom {
  bomFormat: "CycloneDX";
  specVersion: "1.6";
  version: 1;
  metadata: { component: SbomComponent; tools?: { components: SbomComponent[] } };
  components: SbomComponent[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

/** The install path of `name` as Node would resolve it from the package installed at `from` ("" is the root). */
function resolveInstalled(packages: Record<string, LockPackage>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut === -1 ? "" : base.slice(0, cut);
  }
}

const nameOf = (path: string) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);

function purlOf(name: string, version: string): string {
  const [scope, bare] = name.startsWith("@") ? (name.split("/") as [string, string]) : [undefined, name];
  return `pkg:npm/${scope ? `${encodeURIComponent(scope)}/` : ""}${encodeURIComponent(bare)}@${encodeURIComponent(version)}`;
}

/** npm's integrity string (SRI: "sha512-<base64>", possibly several) as CycloneDX hashes (hex). */
export function integrityHashes(integrity: string | undefined): { alg: string; content: string }[] {
  const algs: Record<string, string> = { sha512: "SHA-512", sha384: "SHA-384", sha256: "SHA-256", sha1: "SHA-1" };
  const out: { alg: string; content: string }[] = [];
  for (const part of (integrity ?? "").split(/\s+/).filter(Boolean)) {
    const dash = part.indexOf("-");
    const alg = algs[part.slice(0, dash)];
    if (!alg) continue;
    out.push({ alg, content: Buffer.from(part.slice(dash + 1), "base64").toString("hex") });
  }
  return out;
}

function licensesOf(license: string | undefined): SbomComponent["licenses"] {
  if (!license) return undefined;
  // A single SPDX id goes as an id; "MIT OR Apache-2.0" and the like as an expression.
  return /^[A-Za-z0-9.+-]+$/.test(license) ? [{ license: { id: license } }] : [{ expression: license }];
}

/** Production packages only: what the compiled binaries bundle, reached from the root's `dependencies`. */
export function sbomFromLock(repoRoot: string): Sbom {
  const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as LockFile;
  if (lock.lockfileVersion < 2) throw new Error(`package-lock.json is lockfileVersion ${lock.lockfileVersion}; npm 7 or newer writes 2 or 3`);
  const packages = lock.packages;
  const root = packages[""] ?? {};
  const rootRef = `${lock.name}@${lock.version}`;
  const refOf = (path: string) => `${rootRef}|${nameOf(path)}@${packages[path]!.version}`;

  const reached = new Map<string, string[]>();
  const directs: string[] = [];
  const visit = (from: string, deps: Record<string, string> | undefined, into: string[]) => {
    for (const name of Object.keys(deps ?? {}).sort()) {
      const path = resolveInstalled(packages, from, name);
      // An optional dependency for another platform is in the lock file only when it was installable here.
      if (!path || packages[path]!.link) continue;
      into.push(refOf(path));
      if (reached.has(path)) continue;
      const own: string[] = [];
      reached.set(path, own);
      const p = packages[path]!;
      visit(path, { ...p.dependencies, ...p.optionalDependencies }, own);
    }
  };
  visit("", root.dependencies, directs);

  const components: SbomComponent[] = [];
  const dependencies: Sbom["dependencies"] = [{ ref: rootRef, dependsOn: [...new Set(directs)].sort() }];
  // npm installs one name@version at several paths when parents need it nested (content-type under express and
  // body-parser): one component each, its dependencies the union of its copies'.
  const copiesOf = new Map<string, string[]>();
  for (const path of reached.keys()) copiesOf.set(refOf(path), [...(copiesOf.get(refOf(path)) ?? []), path]);
  for (const [ref, paths] of [...copiesOf].sort(([a], [b]) => a.localeCompare(b))) {
    const path = paths[0]!;
    const p = packages[path]!;
    const full = nameOf(path);
    const [group, name] = full.startsWith("@") ? (full.split("/") as [string, string]) : [undefined, full];
    const hashes = integrityHashes(p.integrity);
    const licenses = licensesOf(p.license);
    components.push({
      type: "library",
      name,
      ...(group ? { group } : {}),
      version: p.version ?? "0.0.0",
      "bom-ref": ref,
      purl: purlOf(full, p.version ?? "0.0.0"),
      ...(hashes.length ? { hashes } : {}),
      ...(licenses ? { licenses } : {}),
    });
    const own = [...new Set(paths.flatMap((copy) => reached.get(copy)!))].sort();
    dependencies.push(own.length ? { ref, dependsOn: own } : { ref });
  }
  return {
    bomFormat: "CycloneDX",
    specVersion: "1.6",
    version: 1,
    metadata: {
      component: { type: "application", name: lock.name, version: lock.version, "bom-ref": rootRef, purl: purlOf(lock.name, lock.version) },
      tools: { components: [{ type: "application", name: "steward-sbom", version: lock.version, "bom-ref": "steward-sbom" }] },
    },
    components,
    dependencies,
  };
}
