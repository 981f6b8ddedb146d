// The files beside the release artefacts that a security review asks for: a CycloneDX SBOM of the npm packages
// bundled into Steward (scripts/sbom.ts, from package-lock.json, each with its SHA-512) plus the runtimes embedded
// in the executables, and SHA256SUMS over every artefact (sha256sum -c format).
import { createHash } from "node:crypto";
import { createReadStream, mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { sbomFromLock } from "./sbom";

const REPO_ROOT = resolve(import.meta.dir, "..");
export const SHA256SUMS = "SHA256SUMS";

export function sbomName(version: string): string {
  return `steward-${version}-sbom.cdx.json`;
}

/** A runtime compiled into the executables (the npm tree does not show it: it is a build tool there). */
export interface EmbeddedRuntime {
  name: string;
  version: string;
  purl: string;
  /** The artefacts that embed it. */
  in: string[];
}

/**
 * Writes the SBOM into `outDir` and returns its path: production dependencies only, reproducible (no timestamp or
 * serial number), so two builds of one commit match.
 */
export function writeSbom(o: { outDir: string; version?: string; runtimes?: EmbeddedRuntime[]; repoRoot?: string }): string {
  const version = o.version ?? pkg.version;
  const bom = sbomFromLock(o.repoRoot ?? REPO_ROOT);
  const root = bom.metadata.component["bom-ref"];
  for (const rt of o.runtimes ?? []) {
    const ref = `${root}|runtime:${rt.name}@${rt.version}`;
    bom.components.push({
      type: "platform",
      name: rt.name,
      version: rt.version,
      "bom-ref": ref,
      purl: rt.purl,
      description: `Runtime compiled into ${rt.in.join(", ")}`,
      properties: [{ name: "steward:sbom:added-by", value: "scripts/release-files.ts (the runtime that scripts/build.ts compiled with)" }],
    });
    const rootDeps = bom.dependencies.find((d) => d.ref === root);
    if (rootDeps) rootDeps.dependsOn = [...(rootDeps.dependsOn ?? []), ref];
    bom.dependencies.push({ ref });
  }
  mkdirSync(o.outDir, { recursive: true });
  const out = join(resolve(o.outDir), sbomName(version));
  writeFileSync(out, `${JSON.stringify(bom, null, 2)}\n`);
  return out;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Writes SHA256SUMS (GNU `sha256sum` format: hash, two spaces, file name) for files of one folder. */
export async function writeSha256Sums(files: string[]): Promise<string> {
  if (files.length === 0) throw new Error("SHA256SUMS: no files");
  const dir = dirname(resolve(files[0]!));
  const lines: string[] = [];
  for (const f of [...files].sort((a, b) => basename(a).localeCompare(basename(b)))) {
    if (dirname(resolve(f)) !== dir) throw new Error(`SHA256SUMS: ${f} is not in ${dir} with the other artefacts`);
    lines.push(`${await sha256(f)}  ${basename(f)}`);
  }
  const out = join(dir, SHA256SUMS);
  writeFileSync(out, `${lines.join("\n")}\n`);
  return out;
}
