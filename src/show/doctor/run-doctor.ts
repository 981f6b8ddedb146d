// Runs every probe at once, each bounded, and returns one line per probe in the order given.
import { type Clock, type Timer, wallClock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { DoctorLine, DoctorProbe } from "./types";

/** A probe that does not answer within this is a failure (a firewall that drops packets answers nothing). */
export const PROBE_TIMEOUT_MS = 10_000;

/** `clock`: the probes talk to real servers, whose silence is measured in real time (wall clock by default). */
export async function runDoctor(probes: readonly DoctorProbe[], timeoutMs = PROBE_TIMEOUT_MS, clock: Clock = wallClock): Promise<DoctorLine[]> {
  return Promise.all(
    probes.map(async (p): Promise<DoctorLine> => {
      let timer: Timer | undefined;
      const late = new Promise<Omit<DoctorLine, "check">>((resolve) => {
        timer = clock.setTimeout(
          () =>
            resolve({ ok: false, detail: `no answer within ${timeoutMs / 1000} s`, fix: "Check that this server can reach it (firewall, proxy, address)." }),
          timeoutMs,
        );
      });
      try {
        return { check: p.check, ...(await Promise.race([p.run(), late])) };
      } catch (err) {
        return { check: p.check, ok: false, detail: describeError(err) };
      } finally {
        clock.clearTimeout(timer);
      }
    }),
  );
}

/** The lines as the command line prints them: PASS or FAIL, what was tried, and the fix under a failure. */
export function renderDoctor(lines: readonly DoctorLine[]): string {
  const width = Math.max(...lines.map((l) => l.check.length), 5);
  const out: string[] = [];
  for (const l of lines) {
    out.push(`${l.ok ? "PASS" : "FAIL"}  ${l.check.padEnd(width)}  ${l.detail}`);
    if (!l.ok && l.fix) out.push(`      ${" ".repeat(width)}  → ${l.fix}`);
  }
  const failed = lines.filter((l) => !l.ok).length;
  out.push("", failed === 0 ? `All ${lines.length} checks passed.` : `${failed} of ${lines.length} checks failed.`);
  return out.join("\n");
}
