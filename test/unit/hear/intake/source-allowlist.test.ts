// IP/CIDR parsing and matching (v4, v6, mapped v4) and the allowlist with real host-name resolution.
import { describe, expect, test } from "bun:test";
import { formatIp, inRange, parseIp, parseRange } from "../../../../src/platform/security/ip-match";
import { createSourceAllowlist } from "../../../../src/hear/intake/source-allowlist";
import { createSilentLogger } from "../../../../src/platform/core/logger";

const log = createSilentLogger();

describe("ip-match", () => {
  test("parses v4, v6, compressed v6, mapped v4 and zone ids", () => {
    expect(formatIp(parseIp("10.0.0.5")!)).toBe("10.0.0.5");
    expect(formatIp(parseIp("::1")!)).toBe("::1");
    expect(formatIp(parseIp("0:0:0:0:0:0:0:1")!)).toBe("::1");
    expect(formatIp(parseIp("fe80::1%eth0")!)).toBe("fe80::1");
    expect(formatIp(parseIp("[FE80::1]")!)).toBe("fe80::1");
    expect(parseIp("::ffff:127.0.0.1")).toEqual({ family: 4, address: "127.0.0.1" });
    expect(parseIp("::ffff:7f00:1")).toEqual({ family: 4, address: "127.0.0.1" });
    expect(formatIp(parseIp("2001:db8:0:0:1:0:0:1")!)).toBe("2001:db8::1:0:0:1");
    for (const bad of ["", "256.1.1.1", "1.2.3", "sense1", "1::2::3", "12345::"]) expect(parseIp(bad)).toBeUndefined();
  });
  test("CIDR membership for v4 and v6, with odd prefix lengths", () => {
    const r = parseRange("10.1.0.0/15")!;
    expect(inRange(parseIp("10.0.255.255")!, r)).toBe(true);
    expect(inRange(parseIp("10.1.3.4")!, r)).toBe(true);
    expect(inRange(parseIp("10.2.0.0")!, r)).toBe(false);
    const v6 = parseRange("fd00:ab::/33")!;
    expect(inRange(parseIp("fd00:ab:7fff::1")!, v6)).toBe(true);
    expect(inRange(parseIp("fd00:ab:8000::1")!, v6)).toBe(false);
    expect(inRange(parseIp("10.0.0.1")!, parseRange("0.0.0.0/0")!)).toBe(true);
    expect(inRange(parseIp("::1")!, parseRange("0.0.0.0/0")!)).toBe(false);
    expect(inRange(parseIp("::ffff:192.168.1.9")!, parseRange("192.168.1.0/24")!)).toBe(true);
    expect(parseRange("10.0.0.0/33")).toBeUndefined();
    expect(parseRange("10.0.0.0/x")).toBeUndefined();
    expect(parseRange("10.0.0.0/8/1")).toBeUndefined();
    // A range written in its IPv4-mapped form is the IPv4 range; each IPv4 range matches both spellings.
    const mapped = parseRange("::ffff:10.0.0.0/104")!;
    expect({ family: mapped.family, address: mapped.address, prefix: mapped.prefix }).toEqual({ family: 4, address: "10.0.0.0", prefix: 8 });
    expect(inRange(parseIp("10.9.8.7")!, mapped)).toBe(true);
    expect(r.list.check("::ffff:10.1.3.4", "ipv6")).toBe(true);
    expect(r.list.check("::ffff:10.2.0.0", "ipv6")).toBe(false);
    expect(parseRange("::ffff:10.0.0.0/95")).toBeUndefined();
  });
});

describe("source allowlist", () => {
  test("an empty list accepts everything", () => {
    const a = createSourceAllowlist([], { log, resolveIntervalMs: 1000 });
    expect(a.open).toBe(true);
    expect(a.allows("203.0.113.9")).toBe(true);
  });
  test("IPs and CIDRs; dual-stack mapped addresses match IPv4 entries; ::1 does not match 127.0.0.1", () => {
    const a = createSourceAllowlist(["127.0.0.1", "10.0.0.0/8", "fd00::/8"], { log, resolveIntervalMs: 1000 });
    expect(a.allows("127.0.0.1")).toBe(true);
    expect(a.allows("::ffff:127.0.0.1")).toBe(true);
    expect(a.allows("::1")).toBe(false);
    expect(a.allows("10.20.30.40")).toBe(true);
    expect(a.allows("fd12::5")).toBe(true);
    expect(a.allows("fe80::5")).toBe(false);
    expect(a.allows("garbage")).toBe(false);
  });
  test("host names are resolved by the OS resolver (localhost) and re-resolved; a failed lookup keeps the last answer", async () => {
    const real = createSourceAllowlist(["localhost"], { log, resolveIntervalMs: 60_000 });
    await real.start();
    expect(real.allows("127.0.0.1")).toBe(true);
    real.stop();

    let answer: string[] | Error = ["192.0.2.10"];
    const calls: string[] = [];
    const a = createSourceAllowlist(["sense1.corp.example"], {
      log,
      resolveIntervalMs: 20,
      resolve: async (h) => {
        calls.push(h);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    await a.start();
    expect(a.allows("192.0.2.10")).toBe(true);
    answer = ["192.0.2.11"];
    await Bun.sleep(80);
    expect(a.allows("192.0.2.11")).toBe(true);
    expect(a.allows("192.0.2.10")).toBe(false);
    answer = new Error("SERVFAIL");
    await Bun.sleep(60);
    expect(a.allows("192.0.2.11")).toBe(true);
    expect(a.resolved()).toEqual({ "sense1.corp.example": ["192.0.2.11"] });
    a.stop();
    expect(calls.length).toBeGreaterThan(2);
  });
});
