// The noise report on demand (REST, CLI, MCP, dashboard, the weekly report) and the review of its proposals: a
// proposal is shown as a diff against the config file, and applied only when an administrator asks, after the
// changed file passes the config check; the change is audited and the config reloaded.
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AuditActor, AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import { AppError, describeError } from "../../platform/core/errors";
import { NOISE_MAX_DAYS, type NoiseConfig } from "./config";
import { applyEdit, lineDiff } from "./config-edit";
import { loadByHour } from "./busy-hours";
import { measureNoise } from "./measure";
import { proposeChanges } from "./propose";
import { type ConfigView, type NoiseStores, proposalContext, readNoise, recordingChannels, routePageAfter } from "./sources";
import type { NoiseReport, Proposal } from "./types";
import type { NotifierConfig } from "../../tell/notify/config";
import { withReplay } from "./replay-proposal";

/** The notifier's decisions need its whole config (the composition root passes it): channels, routes and notify. */
const replayable = (c: ConfigView): boolean => "notify" in c && c.channels !== undefined;

const DAY = 86_400_000;
export { NOISE_MAX_DAYS };

export interface NoiseServiceDeps {
  clock: Clock;
  stores: NoiseStores;
  /** The config in force and the file it came from (none: Steward runs on its defaults). */
  current(): { config: ConfigView & { reports?: { noise?: NoiseConfig } }; file?: string };
  noise(): NoiseConfig;
  zone(): string;
  audit: AuditLog;
  /** Everything `steward config check` refuses in a file; throws CONFIG_INVALID listing the problems. */
  check(file: string): void;
  /** Reloads the config file (what SIGHUP does); its answer says what was applied and what waits for a restart. */
  reload(trigger: string, actor: AuditActor): Promise<unknown>;
}

export interface ProposalReview {
  proposal: Proposal;
  file: string;
  diff: string;
  /** 12 hexadecimal digits of a hash of the diff: given back to apply, it writes this diff or nothing. */
  reviewed: string;
}

/** The short hash of a diff that apply checks against (`--reviewed`, the body's `reviewed`). */
export const diffHash = (diff: string): string => createHash("sha256").update(diff).digest("hex").slice(0, 12);

export type NoiseService = ReturnType<typeof createNoiseService>;

export function createNoiseService(deps: NoiseServiceDeps) {
  // One apply at a time: two at once would each write the file as it was before the other.
  let applying: Promise<unknown> = Promise.resolve();
  async function report(sinceDays = 7, to = deps.clock.now()): Promise<NoiseReport> {
    const from = to - sinceDays * DAY;
    const cfg = deps.noise();
    const current = deps.current().config;
    const [read, hours] = await Promise.all([readNoise(deps.stores, from, to, recordingChannels(current)), deps.stores.nodeHours?.(from, to) ?? []]);
    const measured = measureNoise({
      from,
      to,
      zone: deps.zone(),
      ...read,
      budget: { pagesPerPerson: cfg.pagesPerPerson, onCallPeople: cfg.onCallPeople, actedOnGoal: cfg.actedOnGoal },
      top: cfg.top,
      routePageAfter: routePageAfter(current),
    });
    const proposed = proposeChanges(measured, { ...proposalContext(current), nodeLoad: loadByHour(hours, measured.zone) });
    // Each proposal's pages saved, by replaying the window with its change; one that would hide a fault is withdrawn.
    const proposals = replayable(current)
      ? await withReplay(proposed, {
          config: current as unknown as NotifierConfig,
          recording: recordingChannels(current),
          recorded: read.recorded,
          incidents: read.incidents,
          taskIdOf: (p) => measured.tasks.find((t) => p.about === `task ${t.name}`)?.taskId,
        })
      : proposed;
    return { ...measured, proposals };
  }

  async function review(id: string, sinceDays: number): Promise<ProposalReview & { before: string; after: string }> {
    const proposal = (await report(sinceDays)).proposals.find((p) => p.id === id);
    if (!proposal) throw new AppError("NOT_FOUND", `no proposal ${id} in the noise of the last ${sinceDays} days (GET /v4/noise lists them)`);
    const file = deps.current().file;
    if (!file) throw new AppError("CONFLICT", "Steward runs on its built-in defaults (no --config file): there is no file to change");
    if (!proposal.edit) throw new AppError("CONFLICT", `${id} is a change made outside Steward's config: ${proposal.path}`);
    const before = readFileSync(file, "utf8");
    const after = applyEdit(before, proposal.edit);
    const diff = lineDiff(before, after, file);
    return { proposal, file, diff, reviewed: diffHash(diff), before, after };
  }

  /** Writes the proposal into the config file after the changed file passes the check, audits it and reloads. */
  async function apply(id: string, actor: AuditActor, sinceDays = 7, reviewed?: string): Promise<ProposalReview & { reload: unknown }> {
    const r = await review(id, sinceDays);
    if (reviewed !== undefined && reviewed !== r.reviewed) {
      throw new AppError(
        "CONFLICT",
        `the change to ${r.file} is no longer the one reviewed (${reviewed}; the file changed since): review it again with steward config propose ${id}`,
      );
    }
    const details = { proposal: id, path: r.proposal.path, diff: r.diff };
    // Checked in the same folder, so relative paths (certificates, templates) resolve as in the real file.
    const trial = `${r.file}.proposal-${process.pid}.yaml`;
    try {
      writeFileSync(trial, r.after, { mode: 0o600 });
      deps.check(trial);
    } catch (err) {
      deps.audit.record({ actor, action: "config.apply_proposal", target: r.file, result: "failed", details: { ...details, error: describeError(err) } });
      throw err instanceof AppError ? err : new AppError("CONFIG_INVALID", describeError(err), { cause: err });
    } finally {
      rmSync(trial, { force: true });
    }
    writeFileSync(r.file, r.after);
    try {
      const reload = await deps.reload(`noise proposal ${id}`, actor);
      deps.audit.record({ actor, action: "config.apply_proposal", target: r.file, result: "ok", details });
      return { proposal: r.proposal, file: r.file, diff: r.diff, reviewed: r.reviewed, reload };
    } catch (err) {
      // The running config refused it: the file goes back to what runs.
      writeFileSync(r.file, r.before);
      deps.audit.record({ actor, action: "config.apply_proposal", target: r.file, result: "failed", details: { ...details, error: describeError(err) } });
      throw err;
    }
  }

  return {
    report,
    review: async (id: string, sinceDays = 7): Promise<ProposalReview> => {
      const { proposal, file, diff, reviewed } = await review(id, sinceDays);
      return { proposal, file, diff, reviewed };
    },
    /** `reviewed`: the hash a review answered; the apply then writes that diff or answers CONFLICT. */
    apply(id: string, actor: AuditActor, sinceDays = 7, reviewed?: string) {
      const result = applying.then(() => apply(id, actor, sinceDays, reviewed));
      applying = result.catch(() => undefined);
      return result;
    },
  };
}
