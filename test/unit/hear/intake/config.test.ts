// The intake's config: defaults from an empty file, allowlist entries validated with the YAML position.
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { AppError } from "../../../../src/platform/core/errors";

describe("intake config", () => {
  test("an empty file gives the documented defaults", () => {
    const { udp, intake } = parseConfigText("", "t.yaml", "/tmp").config;
    expect(udp).toMatchObject({ host: "0.0.0.0", port: 9998, allowedSources: [], maxDatagramBytes: 65_507, maxFieldChars: 16_384 });
    expect(intake).toMatchObject({
      queueSize: 1000,
      dedupe: { enabled: true, ttlHours: 72 },
      reconcile: { enabled: true, intervalSeconds: 300, settleSeconds: 60 },
    });
    expect(intake.enrichment.scriptLog).toMatchObject({ enabled: true, headLines: 20, tailLines: 40 });
    expect(intake.enrichment.distribute).toMatchObject({ maxPending: 200, maxPendingPerSource: 100, confirmWithinSeconds: 120 });
    expect(intake.confirm).toEqual({
      alertUnconfirmed: "qrsUnavailable",
      unconfirmedBudget: { perTaskPerHour: 4, perOutcomePerHour: 60, perSource: 3, perSourceWindowMinutes: 10 },
      finalWordWithinMinutes: 10,
    });
  });
  test("alertUnconfirmed takes never, qrsUnavailable or always; anything else names its line", () => {
    expect(parseConfigText("intake:\n  confirm: { alertUnconfirmed: never }\n", "t.yaml", "/tmp").config.intake.confirm.alertUnconfirmed).toBe("never");
    expect(() => parseConfigText("intake:\n  confirm:\n    alertUnconfirmed: sometimes\n", "t.yaml", "/tmp")).toThrow(
      "t.yaml:3:23 intake.confirm.alertUnconfirmed",
    );
  });
  test("allowlist takes IPs, CIDRs and host names; a malformed range names its line", () => {
    const ok = parseConfigText("udp:\n  allowedSources: [10.0.0.0/24, 'fd00::/8', sense1.corp.example, '::1']\n", "t.yaml", "/tmp");
    expect(ok.config.udp.allowedSources).toHaveLength(4);
    try {
      parseConfigText("udp:\n  allowedSources:\n    - 127.0.0.1\n    - 10.0.0.0/33\n", "t.yaml", "/tmp");
      throw new Error("accepted");
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toContain("t.yaml:4:7 udp.allowedSources[1]");
    }
  });
});
