// `steward config rehearse NEW.yaml [--since 4w]`: asks the running Steward to replay the window's recorded history
// through NEW.yaml beside the config in force, and prints what would page differently. Exit 1 when a fault that paged
// would go unpaged, so a config repository's CI can run it before a change goes live.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Rehearsal } from "../rehearse/types";
import { askOrSay } from "./steward-client";
import { UsageError } from "./usage";

export const REHEARSE_HELP = `Usage: steward config rehearse NEW.yaml [--since 4w] [--json] [--config FILE]

Replays the recorded events of the last weeks (default 4w; 28d, 36h … at most 92 days and no longer than
notify.outbox.keep) through NEW.yaml's routes, renotify, pageAfter, rate limits, maintenance windows and
remediation retry rules with their budgets, and its freshness promises' deadlines and warnAt and the
queue's backlog threshold judged again on the recorded runs, beside the config in force, and prints: the pages per route and
channel under each; the retries each would have started and what the recorded runs say of each; the faults that
paged under the config in force and would not under NEW.yaml, named. Nothing is written: not the config, not the
store.

Talks to the running Steward: --url (default: http.host and http.port of the config, or STEWARD_URL) with an API
key from --api-key or STEWARD_API_KEY. Scope admin. Exit codes: 0 no fault would go unpaged, 1 a fault would go
unpaged (or Steward refused: NEW.yaml does not pass the check, the history is not kept), 2 usage error.`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  url: { type: "string" },
  "api-key": { type: "string" },
  since: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Io = { out: (s: string) => void; err: (s: string) => void };

/** argv after `config rehearse`. */
export async function rehearseCommand(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (v.help) {
    io.out(REHEARSE_HELP);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(`config rehearse: give one config file to rehearse\n\n${REHEARSE_HELP}`);
  let yaml: string;
  try {
    yaml = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`config rehearse: cannot read ${file}: ${(e as Error).message}`);
  }
  const r = await askOrSay<Rehearsal>({ url: v.url, config: v.config, apiKey: v["api-key"] }, io.err, "POST", "/v4/config/rehearse", {
    config: yaml,
    ...(v.since !== undefined ? { since: v.since } : {}),
  });
  if (!r) return 1;
  io.out(v.json ? JSON.stringify(r, null, 2) : rehearsalText(r, file));
  return r.unpagedFaults.length > 0 ? 1 : 0;
}

const hhmm = (iso: string) => iso.slice(0, 16).replace("T", " ");

/** The rehearsal as lines a person reads in a terminal or a CI log. */
export function rehearsalText(r: Rehearsal, file: string): string {
  const lines = [`Rehearsal of ${file} on ${hhmm(r.from)} to ${hhmm(r.to)} UTC: ${r.events} recorded events`, ""];
  lines.push(`Pages: ${r.pages.current} with the config in force, ${r.pages.rehearsed} with ${file}`);
  for (const c of r.channels) {
    const d = c.rehearsed - c.current;
    lines.push(`  ${c.route} → ${c.channel}: ${c.current} → ${c.rehearsed}${d === 0 ? "" : ` (${d > 0 ? "+" : ""}${d})`}`);
  }
  for (const h of r.held) lines.push(`  held by ${h.why}: ${h.events} event${h.events === 1 ? "" : "s"}`);
  const { current, rehearsed, refused } = r.remediation;
  // A Steward of an earlier version answers without it.
  const notNeeded = r.remediation.notNeeded ?? [];
  if (current.length + rehearsed.length + refused.length + notNeeded.length > 0) {
    lines.push("", `Automatic retries: ${current.length} with the config in force, ${rehearsed.length} with ${file}`);
    for (const s of rehearsed) {
      const back = s.sourceBackAt ? `; a run found the source back by ${hhmm(s.sourceBackAt)}` : "";
      const said = s.outcome === "failing" ? "the source was still away: it would have failed" : `no run between tells${back}`;
      lines.push(`  ${hhmm(s.at)} ${s.taskName}${s.node ? ` on ${s.node}` : ""} (rule ${s.rule}, failed ${hhmm(s.failedAt)}): ${said}`);
    }
    for (const s of refused) lines.push(`  ${hhmm(s.at)} ${s.taskName} not retried (rule ${s.rule}): ${s.why}`);
    for (const s of notNeeded) lines.push(`  ${hhmm(s.at)} ${s.taskName} asked for and not needed (rule ${s.rule}): ${s.why}`);
  }
  if ((r.thresholds ?? []).length > 0) {
    lines.push("", "Promises and queue judged again on the recorded runs:");
    for (const t of r.thresholds) lines.push(`  ${t.change === "appears" ? "+" : "-"} ${t.route} → ${t.channel}: ${t.text}`);
  }
  lines.push("");
  if (r.unpagedFaults.length === 0) lines.push("Every fault that paged a route with the config in force still pages it.");
  else {
    lines.push(`${r.unpagedFaults.length} fault${r.unpagedFaults.length === 1 ? "" : "s"} would go unpaged:`);
    for (const f of r.unpagedFaults)
      lines.push(
        `  ${f.incidentId !== undefined ? `incident ${f.incidentId} ` : ""}${f.taskName} on route ${f.route}, paged ${hhmm(f.firstPagedAt)} (${f.why})`,
      );
  }
  for (const n of r.notes) lines.push(`Note: ${n}`);
  return lines.join("\n");
}
