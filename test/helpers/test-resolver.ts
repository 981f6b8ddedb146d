// The resolver test Stewards use for the Qlik nodes' host names (AppOptions.resolve). The tests' sites name their
// nodes under RFC 2606's .example (sense1.corp.example), and the simulator's QRS lists a single-label SENSE3 too: no
// DNS server knows them. Asking the system's resolver costs little on most machines, but on this project's 2-core test
// machine its DNS server leaves about one batch of lookups in eight unanswered, and the lookup then waits out the
// resolver's 5 s timeout. A Steward's start waits for its nodes' first resolution (src/hear/intake/udp-sources.ts), so
// a test Steward with a qlik: section started 5 s late about one start in four (scheduler-sim.test.ts: 3 of its 11
// starts). Such names are answered "not found" at once, the answer the system gives after its wait; every other name
// (localhost, the hosts file's, a real one) is asked of the system's resolver, as Steward asks it.
import { readFileSync } from "node:fs";
import { lookup } from "node:dns/promises";

/** The names /etc/hosts lists (single-label ones among them are answered from it, not from DNS). */
function hostsFileNames(): Set<string> {
  try {
    const names = readFileSync("/etc/hosts", "utf8")
      .split("\n")
      .flatMap((line) => line.replace(/#.*/, "").trim().split(/\s+/).slice(1));
    return new Set(names.map((n) => n.toLowerCase()));
  } catch {
    return new Set(["localhost"]);
  }
}

let hosts: Set<string> | undefined;

/** Whether no resolver can know the name: under .example, .invalid or .test, or a single label the hosts file lacks. */
export function unknowableName(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  if (/\.(example|invalid|test)$/.test(n)) return true;
  if (n.includes(".") || n.includes(":")) return false;
  hosts ??= hostsFileNames();
  return !hosts.has(n);
}

export async function testResolve(name: string): Promise<string[]> {
  if (unknowableName(name)) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND", hostname: name });
  return (await lookup(name, { all: true })).map((a) => a.address);
}
