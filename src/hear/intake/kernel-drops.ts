// Datagrams the operating system dropped before Steward could read them (receive buffer full). Linux reports
// them per socket in /proc/net/udp and /proc/net/udp6 (last column); elsewhere the count is unknown.
import { readFileSync } from "node:fs";

/** Sum of the `drops` column of every UDP socket bound to `port`, or undefined where the OS does not say. */
export function readKernelUdpDrops(port: number, read: (path: string) => string = (p) => readFileSync(p, "utf8")): number | undefined {
  if (process.platform !== "linux") return undefined;
  let found = false;
  let drops = 0;
  const portHex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = read(table);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13) continue;
      const local = cols[1]!;
      if (local.slice(local.lastIndexOf(":") + 1) !== portHex) continue;
      found = true;
      drops += Number(cols[cols.length - 1]) || 0;
    }
  }
  return found ? drops : undefined;
}
