// The intake against someone on the Qlik network (issue 13): datagrams with forged source addresses, forged
// runs and forged distribution announcements. Sources are forged by calling the socket's handler with the
// address a spoofed datagram would carry.
import { afterEach, describe, expect, test } from "bun:test";
import { createLogger } from "../../../src/core/logger";
import { createSecretRegistry } from "../../../src/core/redaction";
import { createTestApp, type TestApp } from "../../helpers/app";
import { IDS } from "./harness";

function collectLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: "debug", format: "json", secrets: createSecretRegistry(), write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { log, lines };
}

/** A different forged IPv4 source per index. */
const forged = (i: number) => ({ address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 50_000 });

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("forged source addresses", () => {
  test("a new source per datagram does not get a log line per datagram: warnings share an overall budget", async () => {
    const { log, lines } = collectLogs();
    t = createTestApp("", { log });
    await t.app.start();
    const intake = t.app.intake;
    for (let i = 0; i < 2_000; i++) intake.handleDatagram(Buffer.from(`/scheduler-nonsense/;${i}`), forged(i));
    for (let i = 0; i < 2_000; i++) {
      const engine = `/engine-reload-failed/;SENSE1;${IDS.app};8a1f3c2e-77d0-4b9a-a2c4-5e6f7a8b9c0d;CORP;anna;2025-11-03 09:30:00,100;ERROR;forged ${i}`;
      intake.handleDatagram(Buffer.from(engine), forged(10_000 + i));
    }
    const warnings = lines.filter((l) => l.msg === "unparseable datagram" || l.msg === "engine reported a failed reload");
    // Every datagram is still counted; the log gets a bounded number of lines.
    expect(intake.counters.rejected.get({ reason: "unknown_prefix" })).toBe(2_000);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(20);
  });
});
