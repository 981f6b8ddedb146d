// The Qlik nodes' addresses behind security.anonymous.from: [qlik-nodes]: qlik.host and QRS's node list resolved,
// loopback counted only when Steward runs on a node (or without qlik:), and a name that stops resolving keeping its
// last addresses.
import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { parseIp } from "../../../../src/platform/security/ip-match";
import { createQlikNodes } from "../../../../src/platform/security/qlik-nodes";

const ip = (s: string) => parseIp(s)!;

function nodes(host: string | undefined, dns: Record<string, string[]>, own: string[] = ["10.9.0.5"]) {
  return createQlikNodes(host, {
    clock: createManualClock(0),
    log: createSilentLogger(),
    resolve: async (name) => {
      const a = dns[name];
      if (!a) throw new Error(`ENOTFOUND ${name}`);
      return a;
    },
    ownAddresses: () => own,
    machineName: "steward01",
  });
}

describe("qlik-nodes", () => {
  test("qlik.host and the nodes QRS lists, resolved; loopback is not a node when Steward runs elsewhere", async () => {
    const dns: Record<string, string[]> = { "sense1.corp.example": ["10.1.2.3"], "sense2.corp.example": ["10.1.2.4", "::ffff:10.1.2.5"] };
    const n = nodes("sense1.corp.example", dns);
    n.listWith(async () => ["sense1.corp.example", "sense2.corp.example"]);
    await n.refresh();
    for (const a of ["10.1.2.3", "10.1.2.4", "10.1.2.5"]) expect(n.has(ip(a))).toBe(true);
    expect(n.has(ip("10.1.2.6"))).toBe(false);
    expect(n.local()).toBe(false);
    expect(n.describe()).toBe("the Qlik nodes sense1.corp.example (10.1.2.3), sense2.corp.example (10.1.2.4, 10.1.2.5)");
  });

  test("Steward on a node: loopback counts (by the node's address or by this machine's name)", async () => {
    const byAddress = nodes("sense1.corp.example", { "sense1.corp.example": ["10.9.0.5"] });
    await byAddress.refresh();
    expect(byAddress.local()).toBe(true);
    const byName = nodes("steward01.corp.example", { "steward01.corp.example": ["10.7.7.7"] });
    await byName.refresh();
    expect(byName.local()).toBe(true);
    // qlik.host given as an address counts at once, before any lookup.
    expect(nodes("127.0.0.1", {}).local()).toBe(true);
    expect(nodes("10.1.2.3", {}).has(ip("10.1.2.3"))).toBe(true);
  });

  test("without qlik: this server only", () => {
    const n = nodes(undefined, {});
    expect(n.local()).toBe(true);
    expect(n.has(ip("10.1.2.3"))).toBe(false);
    expect(n.describe()).toBe("this server (no qlik: section)");
  });

  test("a name that stops resolving, or QRS down, keeps the last addresses; a node QRS drops is dropped", async () => {
    const dns: Record<string, string[]> = { "sense1.corp.example": ["10.1.2.3"], "sense2.corp.example": ["10.1.2.4"] };
    const n = nodes("sense1.corp.example", dns);
    let listed = ["sense2.corp.example"];
    let qrsUp = true;
    n.listWith(async () => {
      if (!qrsUp) throw new Error("QRS unavailable");
      return listed;
    });
    await n.refresh();
    delete dns["sense2.corp.example"];
    qrsUp = false;
    await n.refresh();
    expect(n.has(ip("10.1.2.4"))).toBe(true);
    qrsUp = true;
    await n.refresh();
    expect(n.has(ip("10.1.2.4"))).toBe(true);
    listed = [];
    await n.refresh();
    expect(n.has(ip("10.1.2.4"))).toBe(false);
    expect(n.has(ip("10.1.2.3"))).toBe(true);
  });

  test("a lookup slower than the interval is not asked again while it answers (a slow DNS does not pile up)", async () => {
    const clock = createManualClock(0);
    const asked: string[] = [];
    let answer!: () => void;
    const n = createQlikNodes("sense1.corp.example", {
      clock,
      log: createSilentLogger(),
      resolve: (name) => {
        asked.push(name);
        return new Promise<string[]>((r) => (answer = () => r(["10.1.2.3"])));
      },
      ownAddresses: () => [],
      machineName: "steward01",
      intervalMs: 60_000,
    });
    const c = n.component();
    await c.start();
    await clock.advance(3 * 60_000);
    expect(asked).toEqual(["sense1.corp.example"]);
    answer();
    // The answered refresh settles (a few promise turns) before the next interval.
    await new Promise((r) => setImmediate(r));
    await clock.advance(60_000);
    expect(asked).toEqual(["sense1.corp.example", "sense1.corp.example"]);
    expect(n.has(ip("10.1.2.3"))).toBe(true);
    await c.stop(1000);
  });
});
