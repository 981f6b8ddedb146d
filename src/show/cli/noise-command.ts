// `steward noise` (the noise report: text or --json), `steward config propose ID` (a proposal as a diff against the
// config file) and `steward config apply-proposal ID` (written after the config check, audited, reloaded): all read
// from or done by the running Steward, whose stores the report counts and whose config file it changes.
import { parseArgs } from "node:util";
import { noiseSections } from "../noise/noise-text";
import type { NoiseReport, Proposal } from "../noise/types";
import { reportText } from "./report-command";
import { cliTime } from "../../platform/core/time-text";
import { cliZone } from "./cli-zone";
import { askOrSay } from "./steward-client";
import { UsageError } from "./usage";

const TALKS = `Talks to the running Steward: --url (default: http.host and http.port of the config, or STEWARD_URL) with an API
key from --api-key or STEWARD_API_KEY (none is needed when the config has no API keys).`;

export const NOISE_HELP = `Usage: steward noise [--config FILE] [--since-days N] [--json]

How noisy the pages of the last N days were (default 7, at most 31): per route and kind the pages sent and held, the
share acknowledged, the median time to acknowledge and the share that recovered by itself; the noisiest tasks; pages
per week against the budget (reports.noise: 8 per on-call person) and the share acted on (goal 30 %); and for each
noisy source a proposed config change. Review one with steward config propose ID; nothing changes until an
administrator applies it (steward config apply-proposal ID).

${TALKS} Scope read. The dashboard shows the same at /ui/noise. Exit codes: 0 ok, 1 Steward refused or is not
reachable, 2 usage error.`;

export const PROPOSAL_HELP = `Usage: steward config propose ID [--since-days N] [--config FILE]
       steward config apply-proposal ID [--reviewed HASH] [--since-days N] [--config FILE]

propose         Prints the proposal ID of the noise report (steward noise lists them) and the lines of the config
                file it would change, as a diff. Nothing is written.
apply-proposal  Writes it into the config file (every other line, comments included, stays as written) only when
                the changed file passes steward config check, records it in the audit log (config.apply_proposal)
                and reloads the config. A change to routes applies at once; the answer names what needs a restart.
                --reviewed HASH (propose prints it): write exactly the diff reviewed, or nothing when the file
                changed since.

${TALKS} Scope admin. Exit codes: 0 ok, 1 Steward refused (the check failed: nothing written) or is not reachable,
2 usage error.`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  url: { type: "string" },
  "api-key": { type: "string" },
  "since-days": { type: "string" },
  reviewed: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

type Io = { out: (s: string) => void; err: (s: string) => void };

/** A POST always carries a body (an empty object when there is none to send). */
const call = <T>(v: Flags, io: Io, method: string, path: string, body?: unknown): Promise<T | undefined> =>
  askOrSay<T>({ url: v.url, config: v.config, apiKey: v["api-key"] }, io.err, method, path, method === "POST" ? (body ?? {}) : undefined);

const since = (v: Flags) => {
  if (v["since-days"] === undefined) return "";
  if (!/^\d{1,2}$/.test(v["since-days"])) throw new UsageError("--since-days: a whole number of days, 1 to 31");
  return `sinceDays=${v["since-days"]}`;
};

/** The report's lines with its period on the site's clock (`zone`), as every CLI line writes a time. */
export function noiseText(r: NoiseReport & { from: string | number; to: string | number }, zone: string): string {
  const from = cliTime(new Date(r.from).getTime(), zone);
  const to = cliTime(new Date(r.to).getTime(), zone);
  return reportText({ title: `Noise from ${from} to ${to}`, summary: "", facts: [], sections: noiseSections(r) });
}

export async function noiseCommand(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (v.help) {
    io.out(NOISE_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`noise: unexpected argument ${positionals[0]}\n\n${NOISE_HELP}`);
  const q = since(v);
  const r = await call<NoiseReport>(v, io, "GET", `/v4/noise${q ? `?${q}` : ""}`);
  if (!r) return 1;
  io.out(v.json ? JSON.stringify(r, null, 2) : noiseText(r, cliZone(v.config)));
  return 0;
}

/** `config propose ID` and `config apply-proposal ID` (argv starts with the sub-command). */
export async function proposalCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const { values: v, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  if (v.help) {
    io.out(PROPOSAL_HELP);
    return 0;
  }
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new UsageError(`config ${sub}: give one proposal ID (steward noise lists them)\n\n${PROPOSAL_HELP}`);
  const q = since(v);
  const path = `/v4/noise/proposals/${encodeURIComponent(id)}`;
  type Review = { proposal: Proposal; file: string; diff: string; reviewed: string; reload?: { restartRequired?: string[] } };
  const r =
    sub === "apply-proposal"
      ? await call<Review>(v, io, "POST", `${path}/apply`, {
          ...(q ? { sinceDays: Number(v["since-days"]) } : {}),
          ...(v.reviewed !== undefined ? { reviewed: v.reviewed } : {}),
        })
      : await call<Review>(v, io, "GET", `${path}${q ? `?${q}` : ""}`);
  if (!r) return 1;
  if (v.json) {
    io.out(JSON.stringify(r, null, 2));
    return 0;
  }
  io.out(`${r.proposal.title}\n${r.proposal.why}\nPath: ${r.proposal.path}\n\n${r.diff}`);
  if (sub === "apply-proposal") {
    const restart = r.reload?.restartRequired ?? [];
    io.out(`\nWritten to ${r.file} and reloaded${restart.length ? `; takes effect after a restart: ${restart.join(", ")}` : ""}.`);
  } else io.out(`\nNothing written. Apply exactly this diff with: steward config apply-proposal ${r.proposal.id} --reviewed ${r.reviewed}`);
  return 0;
}
