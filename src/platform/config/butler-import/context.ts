// Shared state of one Butler conversion: the tree with its verdicts, the Steward config being built, notes for
// the admin to review, and small typed readers.
import type { ButlerTree } from "./tree";

export type Obj = Record<string, unknown>;

export interface Ctx {
  t: ButlerTree;
  /** The Steward config, built section by section (key order = output order). */
  out: Obj;
  /** Behaviour differences and security notes the admin should read. */
  review: string[];
  /** What the admin must do before going live, or a load script that worked with Butler fails. */
  actions: string[];
  /** Schedules file given with --schedules. */
  schedulesFile?: string;
  /** Where the converted schedules are written, relative to the converted config (scheduler.importFile). */
  schedulesImportFile?: string;
}

export const B = (path: string) => `Butler.${path}`;

/** Butler's template ships placeholders such as `<path/to/cert/client.pem>`; they are not settings. */
export const isPlaceholder = (v: string) => /^<[^>]*>$/.test(v.trim());

export function str(c: Ctx, path: string): string | undefined {
  const v = c.t.get(B(path));
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}

export function num(c: Ctx, path: string): number | undefined {
  const v = c.t.get(B(path));
  return typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;
}

export function bool(c: Ctx, path: string): boolean {
  const v = c.t.get(B(path));
  return v === true || v === "true";
}

export function list(c: Ctx, path: string): unknown[] {
  const v = c.t.get(B(path));
  return Array.isArray(v) ? v : [];
}

/** Marks a Butler subtree as off when its `enable` is false; returns whether it is on. */
export function feature(c: Ctx, path: string, enableKey = "enable"): boolean {
  if (!c.t.has(B(path))) return false;
  const on = bool(c, `${path}.${enableKey}`);
  if (!on) c.t.off(B(path));
  else c.t.mapped(B(`${path}.${enableKey}`));
  return on;
}

/** Sets a nested value in the output, creating mappings on the way. */
export function put(c: Ctx, path: string, value: unknown): void {
  if (value === undefined) return;
  const keys = path.split(".");
  let o = c.out;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Obj;
  o[keys.at(-1)!] = value;
}

/** Does Butler send service alerts to this destination (serviceMonitor on and its alertDestination on)? */
export function serviceDestination(c: Ctx, dest: string): boolean {
  const on = bool(c, "serviceMonitor.enable") && bool(c, `serviceMonitor.alertDestination.${dest}.enable`);
  if (c.t.has(B(`serviceMonitor.alertDestination.${dest}`))) {
    if (on) c.t.mapped(B(`serviceMonitor.alertDestination.${dest}`));
    else c.t.off(B(`serviceMonitor.alertDestination.${dest}`));
  }
  return on;
}
