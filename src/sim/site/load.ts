// Loads a site fixture from YAML text or a file; every error names the file, line:column and YAML path.
import { readFileSync } from "node:fs";
import { isMap, isScalar, isSeq, LineCounter, type Document } from "yaml";
import { boundedCst, composeOne } from "../../platform/config/yaml-bounds";
import type { z } from "zod";
import { SimError } from "../errors";
import type { SiteModel } from "./model";
import { resolveSite } from "./resolve";
import { SiteSchema } from "./schema";

type Path = readonly PropertyKey[];

export function formatSitePath(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out === "" ? "(root)" : out;
}

/** line:col of the deepest YAML node that exists along `path` (a missing key points at its parent). */
function locate(doc: Document.Parsed, lines: LineCounter, path: Path, atKey = false): string {
  let node: unknown = doc.contents;
  let best = node;
  for (const [i, seg] of path.entries()) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      // Point at the key when asked (unknown keys) or when the value is missing, otherwise at the value.
      next = pair ? (atKey && i === path.length - 1 ? pair.key : (pair.value ?? pair.key)) : undefined;
    } else if (isSeq(node) && typeof seg === "number") next = node.items[seg];
    if (next === undefined) break;
    node = next;
    best = node;
  }
  const range = (best as { range?: [number, number, number] } | null)?.range;
  if (!range) return "1:1";
  const { line, col } = lines.linePos(range[0]);
  return `${line}:${col}`;
}

function zodMessages(error: z.ZodError, doc: Document.Parsed, lines: LineCounter, file: string): string[] {
  return error.issues.map((iss) => {
    let path: PropertyKey[] = [...iss.path];
    let msg = iss.message;
    const atKey = iss.code === "unrecognized_keys";
    if (iss.code === "unrecognized_keys") {
      // Point at the first unknown key itself, which is where the typo is.
      path = [...path, iss.keys[0] ?? ""];
      msg = `unknown key${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `'${k}'`).join(", ")}`;
    }
    return `${file}:${locate(doc, lines, path, atKey)} ${formatSitePath(path)}: ${msg}`;
  });
}

/**
 * Sites parsed before, by file name and text: the test suite starts the simulator hundreds of times on a few sites,
 * and parsing the default one costs ~60 ms of CPU where a copy of the model costs under 1 ms. A few are kept.
 */
const parsedSites = new Map<string, SiteModel>();
const PARSED_SITES_KEPT = 8;

/** Parses and validates site YAML; throws SimError SITE_INVALID listing every problem. Each caller gets a model of its own. */
export function parseSite(text: string, file = "site.yaml"): SiteModel {
  const key = `${file}\0${text}`;
  const known = parsedSites.get(key);
  if (known) return structuredClone(known); // the repository changes its site: never hand out the kept one
  const model = parseSiteText(text, file);
  parsedSites.set(key, structuredClone(model));
  if (parsedSites.size > PARSED_SITES_KEPT) parsedSites.delete(parsedSites.keys().next().value!);
  return model;
}

function parseSiteText(text: string, file: string): SiteModel {
  // The same bounds as Steward's own config: a site file is composed only when it stays within them, from the tokens
  // the bounds were checked on (read once).
  const lines = new LineCounter();
  const read = boundedCst(text, { maxDepth: 64, maxAliases: 100, maxNodes: 2_000_000 }, lines.addNewLine);
  if ("problem" in read) throw new SimError("SITE_INVALID", `invalid site fixture: ${file} (offset ${read.problem.offset}): ${read.problem.message}`);
  const doc = composeOne(read.tokens, text.length, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const messages = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return `${file}:${pos ? `${pos.line}:${pos.col}` : "1:1"} ${e.message.split("\n")[0]}`;
    });
    throw new SimError("SITE_INVALID", `invalid site fixture:\n${messages.join("\n")}`, { details: messages });
  }
  const parsed = SiteSchema.safeParse(doc.toJS({ maxAliasCount: 100 }) ?? {});
  if (!parsed.success) {
    const messages = zodMessages(parsed.error, doc, lines, file);
    throw new SimError("SITE_INVALID", `invalid site fixture:\n${messages.join("\n")}`, { details: messages });
  }
  const { model, issues } = resolveSite(parsed.data);
  if (issues.length > 0) {
    const messages = issues.map((i) => `${file}:${locate(doc, lines, i.path)} ${formatSitePath(i.path)}: ${i.message}`);
    throw new SimError("SITE_INVALID", `invalid site fixture:\n${messages.join("\n")}`, { details: messages });
  }
  return model;
}

export function loadSiteFile(path: string): SiteModel {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new SimError("SITE_INVALID", `cannot read site fixture ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseSite(text, path);
}
