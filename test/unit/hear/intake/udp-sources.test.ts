// Who may send datagrams when udp.allowedSources is empty (issue 75, E1): the Qlik nodes, qlik.host and the server
// nodes QRS lists, resolved by the resolver security.anonymous uses; until QRS's list is read, qlik.host only and
// the admission says it is degraded. Refusals are summed up in at most one log line a minute, never one per datagram.
import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createLogger } from "../../../../src/platform/core/logger";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import { createQlikNodes } from "../../../../src/platform/security/qlik-nodes";
import { createUdpSources } from "../../../../src/hear/intake/udp-sources";

function logs() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: createLogger({ level: "info", format: "json", secrets: createSecretRegistry(), write: (l) => void lines.push(JSON.parse(l)) }) };
}

const DNS: Record<string, string[]> = { "qlik.corp.example": ["10.1.2.1"], "sense1.corp.example": ["10.1.2.1"], "sense2.corp.example": ["10.1.2.2"] };

function site(qrsUp: { up: boolean }) {
  const clock = createManualClock(Date.parse("2026-11-26T08:00:00Z"));
  const { lines, log } = logs();
  const nodes = createQlikNodes("qlik.corp.example", {
    clock,
    log,
    resolve: async (name) => DNS[name] ?? Promise.reject(new Error(`ENOTFOUND ${name}`)),
    ownAddresses: () => ["10.9.9.9"],
    machineName: "steward01",
  });
  nodes.listWith(async () => {
    if (!qrsUp.up) throw new Error("connect ECONNREFUSED");
    return ["sense1.corp.example", "sense2.corp.example"];
  });
  const sources = createUdpSources([], { log, clock, resolveIntervalMs: 60_000, nodes, firstListWaitMs: 1_000 });
  return { clock, lines, nodes, sources };
}

describe("udp sources", () => {
  test("empty with qlik: the nodes QRS lists and qlik.host; any other sender is refused", async () => {
    const { sources } = site({ up: true });
    await sources.start();
    expect(sources.mode).toBe("qlik-nodes");
    expect(sources.allows("10.1.2.1")).toBe(true);
    expect(sources.allows("10.1.2.2")).toBe(true);
    expect(sources.allows("::ffff:10.1.2.2")).toBe(true);
    expect(sources.allows("10.1.2.3")).toBe(false);
    // Steward is not on a node here: loopback is not a node.
    expect(sources.allows("127.0.0.1")).toBe(false);
    expect(sources.degraded()).toBeUndefined();
    expect(sources.describe()).toBe(
      "datagrams are admitted from the Qlik nodes qlik.corp.example (10.1.2.1), sense1.corp.example (10.1.2.1), sense2.corp.example (10.1.2.2) (udp.allowedSources empty)",
    );
  });

  test("QRS down at start: qlik.host only, said as degraded, until the list is read", async () => {
    const qrs = { up: false };
    const { sources, nodes } = site(qrs);
    await sources.start();
    expect(sources.allows("10.1.2.1")).toBe(true);
    expect(sources.allows("10.1.2.2")).toBe(false);
    expect(sources.degraded()).toContain("QRS's list of server nodes has not been read yet");
    qrs.up = true;
    await nodes.refresh();
    expect(sources.allows("10.1.2.2")).toBe(true);
    expect(sources.degraded()).toBeUndefined();
  });

  test("Steward on a node (qlik.host 127.0.0.1): 127.0.0.1 is the node, another loopback alias is not", async () => {
    const { log } = logs();
    const clock = createManualClock(0);
    const nodes = createQlikNodes("127.0.0.1", { clock, log, resolve: async () => ["127.0.0.1"], ownAddresses: () => [], machineName: "x" });
    nodes.listWith(async () => ["sense1.test.example"]);
    const sources = createUdpSources([], { log, clock, resolveIntervalMs: 60_000, nodes });
    await sources.start();
    expect(sources.allows("127.0.0.1")).toBe(true);
    expect(sources.allows("127.0.0.3")).toBe(false);
    expect(createUdpSources(["*"], { log, clock, resolveIntervalMs: 60_000, nodes }).allows("127.0.0.3")).toBe(true);
  });

  test("refusals: one line at the first, then at most one a minute with the count per address", async () => {
    const { sources, lines, clock } = site({ up: true });
    await sources.start();
    const summaries = () => lines.filter((l) => String(l.msg).startsWith("refused "));
    for (let i = 0; i < 812; i++) sources.refused("10.7.7.7");
    for (let i = 0; i < 12; i++) sources.refused("10.7.7.8");
    expect(summaries().map((l) => l.msg)).toEqual(["refused 1 datagram from 1 address not Qlik nodes in the last minute: 10.7.7.7 (1)"]);
    await clock.advance(59_000);
    expect(summaries()).toHaveLength(1);
    await clock.advance(1_000);
    expect(summaries().map((l) => l.msg)).toEqual([
      "refused 1 datagram from 1 address not Qlik nodes in the last minute: 10.7.7.7 (1)",
      "refused 823 datagrams from 2 addresses not Qlik nodes in the last minute: 10.7.7.7 (811), 10.7.7.8 (12)",
    ]);
    await clock.advance(120_000);
    expect(summaries()).toHaveLength(2);
  });
});
