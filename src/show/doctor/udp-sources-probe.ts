// Who may send datagrams (issue 75): the running Steward says what it admits now (the Qlik nodes as resolved, or that
// QRS's node list is not read yet); `steward doctor` on its own says what the config means. "*" is the admin's choice,
// said with what it means rather than failed.
import type { DoctorProbe } from "./types";

export interface SourcesState {
  describe(): string;
  degraded(): string | undefined;
  readonly mode: string;
}

const ANY = 'udp.allowedSources is "*": datagrams from any host are admitted, so anyone who reaches the port can forge task events';

export function udpSourcesProbe(allowed: readonly string[], qlikHost: string | undefined, live: SourcesState | undefined): DoctorProbe {
  return {
    check: "udp sources",
    async run() {
      if (live) {
        const degraded = live.degraded();
        if (degraded)
          return { ok: false, detail: degraded, fix: "Check that QRS answers (the qrs line above); Steward reads the node list again every 5 minutes." };
        return { ok: true, detail: live.mode === "any" ? ANY : live.describe() };
      }
      if (allowed.includes("*")) return { ok: true, detail: ANY };
      if (allowed.length > 0) return { ok: true, detail: `datagrams are admitted from udp.allowedSources: ${allowed.join(", ")}` };
      return qlikHost
        ? { ok: true, detail: `datagrams are admitted from ${qlikHost} and the server nodes QRS lists (udp.allowedSources empty)` }
        : { ok: true, detail: "datagrams are admitted from this server's loopback only (no qlik: section, udp.allowedSources empty)" };
    },
  };
}
