// Inbound Windows Firewall rules for Steward's own ports (UDP intake, REST API), opted into with
// `steward service install --firewall udp,rest` (the MSI's FIREWALL property): one rule per port, bound to
// steward.exe, named after the service so uninstall and a re-install find them again.
import type { Step } from "./plan";

export type FirewallOpening = "udp" | "rest";
export const FIREWALL_OPENINGS: readonly FirewallOpening[] = ["udp", "rest"];

export interface FirewallOptions {
  service: string;
  /** The program the rules allow (the service's steward.exe). */
  program: string;
  openings: readonly FirewallOpening[];
  udp: { enabled: boolean; host: string; port: number };
  http: { enabled: boolean; host: string; port: number };
  /** netsh remoteip= value (addresses, ranges, CIDRs, comma-separated); default any. */
  remote?: string;
}

const RULE_TITLE: Record<FirewallOpening, string> = { udp: "UDP intake", rest: "REST API" };

export function firewallRuleName(service: string, opening: FirewallOpening): string {
  return `${service} ${RULE_TITLE[opening]}`;
}

/** Parses the --firewall value ("udp", "rest", "udp,rest"; empty means none). */
export function parseFirewallOpenings(value: string | undefined): FirewallOpening[] | { error: string } {
  const items = (value ?? "")
    .split(/[,;\s]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = items.filter((i) => !FIREWALL_OPENINGS.includes(i as FirewallOpening));
  if (bad.length) return { error: `--firewall: expected udp, rest or udp,rest, got "${bad.join(",")}"` };
  return [...new Set(items as FirewallOpening[])];
}

const isLoopback = (host: string) => /^(127\.|::1$|\[::1\]$|localhost$)/i.test(host);

/** The delete-then-add steps for each opening (netsh would add a second rule of the same name), and notes. */
export function firewallSteps(o: FirewallOptions): { steps: Step[]; notes: string[] } {
  const steps: Step[] = [];
  const notes: string[] = [];
  for (const opening of o.openings) {
    const listener = opening === "udp" ? o.udp : o.http;
    const key = opening === "udp" ? "udp" : "http";
    if (!listener.enabled) {
      notes.push(`Firewall: no rule for the ${RULE_TITLE[opening]}: ${key}.enabled is false in the config.`);
      continue;
    }
    if (isLoopback(listener.host)) {
      notes.push(
        `Firewall: the ${RULE_TITLE[opening]} listens on ${listener.host} only (${key}.host); the rule takes effect once it listens on a network address.`,
      );
    }
    const name = firewallRuleName(o.service, opening);
    steps.push(
      {
        kind: "run",
        why: `replace an earlier firewall rule "${name}"`,
        argv: ["netsh.exe", "advfirewall", "firewall", "delete", "rule", `name=${name}`],
        optional: true,
      },
      {
        kind: "run",
        why: `allow ${opening === "udp" ? "UDP" : "TCP"} port ${listener.port} in (${RULE_TITLE[opening]}) for steward.exe${o.remote ? ` from ${o.remote}` : ""}`,
        argv: [
          "netsh.exe",
          "advfirewall",
          "firewall",
          "add",
          "rule",
          `name=${name}`,
          "dir=in",
          "action=allow",
          `protocol=${opening === "udp" ? "UDP" : "TCP"}`,
          `localport=${listener.port}`,
          `program=${o.program}`,
          "enable=yes",
          "profile=any",
          ...(o.remote ? [`remoteip=${o.remote}`] : []),
        ],
        // A firewall managed by Group Policy (or stopped) refuses local rules; the service itself still works.
        optional: true,
      },
    );
  }
  if (steps.length)
    notes.push("Firewall rules are tied to the ports in the config: after changing udp.port or http.port, install again with --update --firewall.");
  return { steps, notes };
}

/** Uninstall: remove both possible rules (absent ones fail harmlessly). */
export function firewallRemovalSteps(service: string): Step[] {
  return FIREWALL_OPENINGS.map((opening) => ({
    kind: "run" as const,
    why: `remove the firewall rule "${firewallRuleName(service, opening)}"`,
    argv: ["netsh.exe", "advfirewall", "firewall", "delete", "rule", `name=${firewallRuleName(service, opening)}`],
    optional: true,
  }));
}
