// `steward report`: the morning report now, for any span, printed as text (or JSON): what GET /v4/report answers,
// read from the running Steward (its stores belong to the running service), as the dashboard's /ui/report shows it.
import { parseArgs } from "node:util";
import { askOrSay } from "./steward-client";
import { UsageError } from "./usage";

export const REPORT_HELP = `Usage: steward report [--config FILE] [--from TIME] [--to TIME | --hours N] [--json]

Prints the morning report for a span, built now by the running Steward and sent nowhere: the runs, the failures by
cause (named as the dashboard's Causes page names them), what is still open, what did not happen or is late, the
promises at risk, the slowest and the fastest-growing reloads. Default: the last 24 hours. TIME is ISO 8601 with a
zone (2026-11-24T07:00:00+01:00); --hours N is the span back from --to (or now). At most 31 days.

Talks to the running Steward: --url (default: http.host and http.port of the config, or STEWARD_URL) with an API key
of scope read from --api-key or STEWARD_API_KEY (none is needed when the config has no API keys). The dashboard shows
the same at /ui/report. Exit codes: 0 ok, 1 Steward refused or is not reachable, 2 usage error.`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  url: { type: "string" },
  "api-key": { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  hours: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

interface ReportAnswer {
  title: string;
  summary: string;
  facts: Array<{ name: string; value: string }>;
  sections: Array<{ title: string; lines: Array<{ text: string; tone?: string }>; empty?: string }>;
}

const MARK: Record<string, string> = { fail: "!", warn: "~", ok: "✓", info: "·" };

/** The report as a person reads it in a terminal: title, summary, then each section with its lines. */
export function reportText(r: ReportAnswer): string {
  const out = [r.title, ...(r.summary ? ["", r.summary] : []), ...r.facts.map((f) => `${f.name}: ${f.value}`)];
  for (const s of r.sections) {
    out.push("", s.title);
    if (s.lines.length === 0) out.push(`  ${s.empty ?? "Nothing."}`);
    for (const l of s.lines) out.push(`  ${MARK[l.tone ?? "info"] ?? "·"} ${l.text}`);
  }
  return out.join("\n");
}

export async function reportCommand(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (v.help) {
    out(REPORT_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`report: unexpected argument ${positionals[0]}\n\n${REPORT_HELP}`);
  if (v.from && v.hours) throw new UsageError("report: give --from or --hours, not both");
  const qs = new URLSearchParams();
  if (v.from) qs.set("from", v.from);
  if (v.to) qs.set("to", v.to);
  if (v.hours) qs.set("hours", v.hours);
  const target = { url: v.url, config: v.config, apiKey: v["api-key"] };
  const body = await askOrSay<ReportAnswer>(target, err, "GET", `/v4/report${qs.size > 0 ? `?${qs}` : ""}`);
  if (!body) return 1;
  out(v.json ? JSON.stringify(body, null, 2) : reportText(body));
  return 0;
}
