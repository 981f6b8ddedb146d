// `steward silence list|add|show|end`: silences from the command line, through the running Steward's REST API (the
// store belongs to the running service), so a silence made here is validated, stored and audited like any other.
import { parseArgs } from "node:util";
import { cliTime, typedOffset } from "../../platform/core/time-text";
import { cliZone } from "./cli-zone";
import { askSteward } from "./steward-client";
import { UsageError } from "./usage";
import type { HoldView, SilenceView } from "../../tell/silences/routes";

export const SILENCE_HELP = `Usage: steward silence list [--state active|pending|ended] [--json]
       steward silence add (--task NAME | --app NAME | --stream S | --tag T | --node N | --kind K | --source on-premise|cloud)…
                           (--for DURATION | --until TIME) [--from TIME] --reason TEXT [--author WHO]
       steward silence show ID [--json]
       steward silence end ID

Holds back the alerts of the events a silence matches until it ends; they are recorded (see show, or /ui/silences)
and sent when it ends if their condition lasts (the task still failing, the service still stopped …). Each option
may be given several times; every kind of option given must match, any one of its values. Names are globs (*).
DURATION like 30m, 2h, 1d; TIME like 2026-11-23T06:00:00+01:00. Times are printed as 2026-11-23 06:00 +01:00: in
the offset you gave them in, else in the site's zone (notify.timeZone of the config, else this machine's).

Talks to the running Steward: --url (default: http.host and http.port of the config, or STEWARD_URL) with an
API key of scope admin from --api-key or STEWARD_API_KEY. Exit codes: 0 ok, 1 Steward refused or is not reachable,
2 usage error.`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  url: { type: "string" },
  "api-key": { type: "string" },
  task: { type: "string", multiple: true },
  app: { type: "string", multiple: true },
  stream: { type: "string", multiple: true },
  tag: { type: "string", multiple: true },
  node: { type: "string", multiple: true },
  kind: { type: "string", multiple: true },
  source: { type: "string" },
  for: { type: "string" },
  until: { type: "string" },
  from: { type: "string" },
  reason: { type: "string" },
  author: { type: "string" },
  state: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

const call = <T>(v: Flags, method: string, path: string, body?: unknown) =>
  askSteward<T>({ url: v.url, config: v.config, apiKey: v["api-key"] }, method, path, body);

function matcherOf(v: Flags): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  if (v.task) m.taskNames = v.task;
  if (v.app) m.appNames = v.app;
  if (v.stream) m.streams = v.stream;
  if (v.tag) m.tags = v.tag;
  if (v.node) m.nodes = v.node;
  if (v.kind) m.kinds = v.kind;
  if (v.source) m.source = v.source;
  if (Object.keys(m).length === 0) throw new UsageError("silence add: say what to silence (--task, --app, --stream, --tag, --node, --kind or --source)");
  return m;
}

/** An ISO instant the API answered, as a CLI line says it (src/platform/core/time-text.ts). */
type At = (iso: string) => string;

/** Times at the offset the person typed (`silence add --from …+01:00`), else on the site's clock. */
function timesFor(v: Flags, typed?: string): At {
  const site = cliZone(v.config);
  const offset = typed === undefined ? undefined : typedOffset(typed);
  return (iso) => {
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? cliTime(ms, site, offset) : iso;
  };
}

const line = (s: SilenceView, at: At) =>
  `#${s.id}  ${s.state.padEnd(7)}  ${at(s.startsAt)} → ${at(s.endedAt ?? s.endsAt)}  ${s.matches}  (${s.author}: ${s.reason})  held: ${
    Object.entries(s.held)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ") || "none"
  }`;

export async function silenceCommand(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [sub, id, extra] = positionals;
  if (v.help || sub === undefined) {
    out(SILENCE_HELP);
    return v.help ? 0 : 2;
  }
  if (extra !== undefined) throw new UsageError(`silence: unexpected argument ${extra}`);
  const refused = (r: { status: number; data: unknown }) => {
    const d = r.data as { error?: string; details?: unknown };
    out(`Steward refused (HTTP ${r.status}): ${d.error ?? "no reason given"}${d.details ? ` ${JSON.stringify(d.details)}` : ""}`);
    return 1;
  };
  if (sub === "list") {
    const q = v.state ? `?state=${encodeURIComponent(v.state)}` : "";
    const r = await call<{ silences: SilenceView[] }>(v, "GET", `/v4/silences${q}`);
    if (!r.ok) return refused(r);
    const at = timesFor(v);
    out(v.json ? JSON.stringify(r.data, null, 2) : r.data.silences.length ? r.data.silences.map((s) => line(s, at)).join("\n") : "No silences.");
    return 0;
  }
  if (sub === "add") {
    if (!v.reason) throw new UsageError("silence add: --reason is required (it is shown with every alert the silence holds)");
    if ((v.for === undefined) === (v.until === undefined)) throw new UsageError("silence add: give one of --for DURATION and --until TIME");
    const body = {
      matcher: matcherOf(v),
      reason: v.reason,
      ...(v.author ? { author: v.author } : {}),
      ...(v.from ? { startsAt: v.from } : {}),
      ...(v.for ? { duration: v.for } : { endsAt: v.until }),
    };
    const r = await call<SilenceView>(v, "POST", "/v4/silences", body);
    if (!r.ok) return refused(r);
    out(v.json ? JSON.stringify(r.data, null, 2) : `Silence created:\n${line(r.data, timesFor(v, v.from ?? v.until))}`);
    return 0;
  }
  if (sub !== "show" && sub !== "end") throw new UsageError(`silence: expected list, add, show or end; got '${sub}'`);
  if (!id || !/^\d+$/.test(id)) throw new UsageError(`silence ${sub}: give the silence's number, e.g. steward silence ${sub} 3`);
  if (sub === "end") {
    const r = await call<SilenceView>(v, "DELETE", `/v4/silences/${id}`);
    if (!r.ok) return refused(r);
    out(`Silence ended; what it held is sent if its condition still lasts:\n${line(r.data, timesFor(v))}`);
    return 0;
  }
  const r = await call<SilenceView & { suppressed: HoldView[] }>(v, "GET", `/v4/silences/${id}`);
  if (!r.ok) return refused(r);
  if (v.json) out(JSON.stringify(r.data, null, 2));
  else {
    const at = timesFor(v);
    out(line(r.data, at));
    for (const h of r.data.suppressed)
      out(`  ${at(h.heldAt)}  ${h.state.padEnd(10)}  ${h.kind}  ${h.title}  → ${h.route}/${h.channel}${h.recipient ? ` ${h.recipient}` : ""}`);
  }
  return 0;
}
