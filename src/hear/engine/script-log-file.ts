// The script log of a reload that did not come from the Scheduler: QRS keeps logs only of task runs, but the Engine
// writes one per reload to its Log\Script folder, named <app id>.<time>.log. Read from the folder the admin gave for the
// node (engineReloads.scriptLogDirs), only files of that app (a GUID: no path can be smuggled in), only the log's end.
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseLineTime } from "./engine-line";
import { shortNode } from "./reload-tracker";

/** A log written this far around the reload still belongs to it (node clocks, the Engine's own pace). */
const SLACK_MS = 120_000;

export type ScriptLogRead = { ok: true; text: string; file: string; truncated: boolean } | { ok: false; reason: string };

/** The folder configured for a node: by its full name, its short name, or `*`. */
export function scriptLogDirFor(dirs: Readonly<Record<string, string>>, node: string): string | undefined {
  const byKey = new Map(Object.entries(dirs).map(([k, v]) => [k.toLowerCase(), v]));
  return byKey.get(node.toLowerCase()) ?? byKey.get(shortNode(node)) ?? byKey.get("*");
}

async function timeOf(dir: string, name: string, appId: string): Promise<number | undefined> {
  const stamp = name.slice(appId.length + 1, -".log".length);
  const t = parseLineTime(stamp);
  if (t !== undefined) return t;
  try {
    return (await stat(join(dir, name))).mtimeMs;
  } catch {
    return undefined;
  }
}

async function tail(path: string, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const from = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - from);
    await fh.read(buf, 0, buf.length, from);
    let text = buf.toString("utf8").replace(/^\uFEFF/, "");
    // A cut log starts at its first whole line.
    if (from > 0) text = text.slice(text.indexOf("\n") + 1);
    return { text, truncated: from > 0 };
  } finally {
    await fh.close();
  }
}

export async function readReloadScriptLog(dir: string, r: { appId: string; startMs?: number; endMs: number }, maxBytes: number): Promise<ScriptLogRead> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    return { ok: false, reason: `cannot list ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  const prefix = `${r.appId.toLowerCase()}.`;
  const from = (r.startMs ?? r.endMs - 86_400_000) - SLACK_MS;
  let best: { name: string; at: number } | undefined;
  for (const name of names) {
    if (!name.toLowerCase().startsWith(prefix) || !name.toLowerCase().endsWith(".log")) continue;
    const at = await timeOf(dir, name, r.appId);
    if (at === undefined || at < from || at > r.endMs + SLACK_MS) continue;
    if (!best || at > best.at) best = { name, at };
  }
  if (!best) return { ok: false, reason: `no script log of app ${r.appId} written around the reload in ${dir}` };
  try {
    const { text, truncated } = await tail(join(dir, best.name), maxBytes);
    return { ok: true, text, file: join(dir, best.name), truncated };
  } catch (err) {
    return { ok: false, reason: `cannot read ${join(dir, best.name)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}
