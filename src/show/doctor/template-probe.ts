// The doctor's line for alert templates: alerts sent in the plain form lately because their template failed (it
// threw, read a value that is not there, or made more than the channel takes), read from the deliveries in the store,
// so every Steward of a cluster sees the same (stored-fallbacks.ts opens the store for `steward doctor` on its own).
import type { RecentFallback } from "../../tell/notify/outbox-store";
import type { DoctorProbe } from "./types";

/** How far back the doctor looks. */
export const FALLBACK_LOOKBACK_MS = 24 * 3_600_000;

export interface TemplateProbeDeps {
  recentFallbacks(since: number): Promise<RecentFallback[]>;
  now(): number;
  formatTime(ms: number): string;
}

export function templateFallbackProbe(deps: TemplateProbeDeps): DoctorProbe {
  return {
    check: "alert templates",
    async run() {
      const found = await deps.recentFallbacks(deps.now() - FALLBACK_LOOKBACK_MS);
      if (found.length === 0) return { ok: true, detail: "no alert was sent in the plain form in the last 24 hours" };
      const total = found.reduce((sum, f) => sum + f.count, 0);
      const lines = found.map(
        (f) =>
          `${f.channel}: ${f.reason.replace(/^sent in the plain form: /, "")}, ${f.count} ${f.count === 1 ? "alert" : "alerts"}, last ${deps.formatTime(f.lastAt)}`,
      );
      return {
        ok: false,
        detail: `${total} ${total === 1 ? "alert" : "alerts"} sent in the plain form in the last 24 hours:\n${lines.map((l) => `        ${l}`).join("\n")}`,
        fix: "Correct the template named (steward config check names its file and renders it against every kind of event), or delete the override to use the built-in one; then reload the config.",
      };
    },
  };
}
