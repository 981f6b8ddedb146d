// The connection caps of the mutual-TLS listener: a new connection over a cap closes the longest-idle connection of
// the address holding the most, never one with a request in flight; the open-file limit sets the caps.
import { describe, expect, test } from "bun:test";
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { createConnectionGuard, defaultConnectionLimits } from "../../../../src/platform/security/connection-guard";
import { openFileLimit } from "../../../../src/platform/core/file-limit";
import { createSilentLogger } from "../../../../src/platform/core/logger";

let port = 1000;
function fakeSocket(address: string): Socket & { destroyedByGuard: boolean } {
  const s = new EventEmitter() as unknown as Socket & { destroyedByGuard: boolean };
  Object.assign(s, { remoteAddress: address, remotePort: ++port, destroyedByGuard: false });
  (s as unknown as { destroy(): void }).destroy = () => {
    s.destroyedByGuard = true;
    s.emit("close");
  };
  return s;
}

const limits = { handshakeTimeoutMs: 60_000, idleTimeoutMs: 60_000, bodyTimeoutMs: 60_000, maxConnections: 6, maxPerAddress: 4 };

describe("connection guard", () => {
  test("per address: the fifth connection of one address closes that address's longest-idle one", () => {
    const g = createConnectionGuard(limits, createSilentLogger());
    const a = Array.from({ length: 4 }, () => fakeSocket("10.0.0.1"));
    for (const s of a) expect(g.admit(s)).toBe(true);
    g.requestStarted(a[0]!);
    const fifth = fakeSocket("10.0.0.1");
    expect(g.admit(fifth)).toBe(true);
    expect(a.map((s) => s.destroyedByGuard)).toEqual([false, true, false, false]);
  });

  test("in all: a newcomer closes an idle connection of the most crowded address; when all are busy it is refused", () => {
    const g = createConnectionGuard(limits, createSilentLogger());
    const crowd = Array.from({ length: 4 }, () => fakeSocket("10.0.0.1"));
    const other = Array.from({ length: 2 }, () => fakeSocket("10.0.0.2"));
    for (const s of [...crowd, ...other]) g.admit(s);
    expect(g.open).toBe(6);
    const client = fakeSocket("10.0.0.3");
    expect(g.admit(client)).toBe(true);
    expect(crowd.filter((s) => s.destroyedByGuard).length).toBe(1);
    expect(other.some((s) => s.destroyedByGuard)).toBe(false);
    // Every remaining connection has a request in flight: nothing may be closed for the next one.
    for (const s of [...crowd, ...other, client]) if (!s.destroyedByGuard) g.requestStarted(s);
    const late = fakeSocket("10.0.0.4");
    expect(g.admit(late)).toBe(false);
    expect(late.destroyedByGuard).toBe(true);
    expect(g.stats()).toMatchObject({ open: 6, evicted: 1, refused: 1 });
  });

  test("the caps follow the open-file limit: half of it for connections, a quarter of that per address", () => {
    expect(defaultConnectionLimits(256)).toMatchObject({ maxConnections: 128, maxPerAddress: 32 });
    expect(defaultConnectionLimits(1_048_576)).toMatchObject({ maxConnections: 4096, maxPerAddress: 1024 });
    expect(defaultConnectionLimits(undefined)).toMatchObject({ maxConnections: 4096 });
    expect(
      openFileLimit(
        () =>
          "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n",
      ),
    ).toBe(1024);
    expect(
      openFileLimit(() => {
        throw new Error("no /proc");
      }),
    ).toBeUndefined();
  });
});
