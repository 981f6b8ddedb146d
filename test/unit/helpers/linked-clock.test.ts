// One stepped simulation over two processes (test/helpers/linked-clock.ts, used by the split rich-site bench): the
// timers of both fire in due order, each process's time is the timer's, and time does not move while a datagram the
// driver's side sent is still on its way to the peer.
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { expect, test } from "bun:test";
import { createSteppedClock } from "../../../src/platform/core/stepped-clock";
import { rpcClient } from "../../helpers/ipc-rpc";
import { type PeerState, runLinked } from "../../helpers/linked-clock";

const T0 = Date.parse("2026-03-23T00:00:00Z");
const MIN = 60_000;

test("timers of two processes fire in due order on one simulated time, a datagram between them held for", async () => {
  const rpc = rpcClient((m) => child.send(m));
  const child = Bun.spawn({
    cmd: [process.execPath, join(import.meta.dir, "../../fixtures/linked-clock-peer.ts"), String(T0)],
    stdio: ["ignore", "inherit", "inherit"],
    serialization: "json",
    ipc: (m) => rpc.receive(m),
    onExit: (_p, code) => rpc.fail(`the peer exited (${code})`),
  });
  const socket = createSocket("udp4");
  try {
    const port = await rpc.call<number>("port");
    const driver = createSteppedClock(T0);
    const log: string[] = [];
    const at = () => (driver.now() - T0) / MIN;
    let sent = 0;
    driver.setTimeout(() => {
      log.push(`driver sends at ${at()}`);
      sent++;
      // On its way for a while (a loaded machine): the driver's own work is done, the datagram not yet heard.
      void Bun.sleep(100).then(() => socket.send("run ended", port, "127.0.0.1"));
    }, 10 * MIN);
    driver.setTimeout(() => log.push(`driver timer at ${at()}`), 30 * MIN);
    await runLinked(
      driver,
      {
        settle: () => rpc.call<PeerState>("settle"),
        fire: (id, when) => rpc.call("fire", { id, at: when }),
        advance: (when) => rpc.call("advance", { at: when }),
      },
      T0 + 60 * MIN,
      { peerIdle: (s) => s.received >= sent },
    );
    const peer = await rpc.call<{ log: string[]; now: number }>("log");
    expect(log).toEqual(["driver sends at 10", "driver timer at 30"]);
    // The datagram reached the peer at 10 (not later: time waited for it), so its follow-up came at 15, before 20.
    expect(peer.log).toEqual(['peer heard "run ended" at 10', "peer follow-up at 15", "peer timer at 20", "peer timer at 30"]);
    expect(peer.now).toBe(T0 + 60 * MIN);
    expect(driver.now()).toBe(T0 + 60 * MIN);
    await rpc.call("close");
  } finally {
    socket.close();
    if (child.exitCode === null) child.kill();
    await child.exited;
  }
});

test("timers due on one moment move the peer's time once, and a datagram sent between them is heard at that moment", async () => {
  const rpc = rpcClient((m) => child.send(m));
  const child = Bun.spawn({
    cmd: [process.execPath, join(import.meta.dir, "../../fixtures/linked-clock-peer.ts"), String(T0)],
    stdio: ["ignore", "inherit", "inherit"],
    serialization: "json",
    ipc: (m) => rpc.receive(m),
    onExit: (_p, code) => rpc.fail(`the peer exited (${code})`),
  });
  const socket = createSocket("udp4");
  try {
    const port = await rpc.call<number>("port");
    const driver = createSteppedClock(T0);
    let sent = 0;
    const moves: number[] = [];
    // Three timers at 10 minutes (the second sends a datagram), two at 40: the peer is moved to 10, to 40, and to the end.
    for (const [min, send] of [
      [10, false],
      [10, true],
      [10, false],
      [40, false],
      [40, false],
    ] as const)
      driver.setTimeout(() => {
        if (!send) return;
        sent++;
        socket.send("run ended", port, "127.0.0.1");
      }, min * MIN);
    await runLinked(
      driver,
      {
        settle: () => rpc.call<PeerState>("settle"),
        fire: (id, when) => rpc.call("fire", { id, at: when }),
        advance: (when) => {
          moves.push((when - T0) / MIN);
          return rpc.call("advance", { at: when });
        },
      },
      T0 + 60 * MIN,
      { peerIdle: (s) => s.received >= sent },
    );
    const peer = await rpc.call<{ log: string[]; now: number }>("log");
    expect(peer.log).toEqual(['peer heard "run ended" at 10', "peer follow-up at 15", "peer timer at 20", "peer timer at 30"]);
    expect(moves).toEqual([10, 40, 60]);
    expect(peer.now).toBe(T0 + 60 * MIN);
    await rpc.call("close");
  } finally {
    socket.close();
    if (child.exitCode === null) child.kill();
    await child.exited;
  }
});

/** The fixture peer with six driver timers that send it nothing and one that sends a datagram: its log, and the settles asked. */
async function quietTimersRun(withSentToPeer: boolean): Promise<{ log: string[]; settles: number }> {
  const rpc = rpcClient((m) => child.send(m));
  const child = Bun.spawn({
    cmd: [process.execPath, join(import.meta.dir, "../../fixtures/linked-clock-peer.ts"), String(T0)],
    stdio: ["ignore", "inherit", "inherit"],
    serialization: "json",
    ipc: (m) => rpc.receive(m),
    onExit: (_p, code) => rpc.fail(`the peer exited (${code})`),
  });
  const socket = createSocket("udp4");
  try {
    const port = await rpc.call<number>("port");
    const driver = createSteppedClock(T0);
    let sent = 0;
    let settles = 0;
    for (const min of [1, 2, 3, 4, 11, 12]) driver.setTimeout(() => undefined, min * MIN);
    driver.setTimeout(() => {
      sent++;
      socket.send("run ended", port, "127.0.0.1");
    }, 10 * MIN);
    await runLinked(
      driver,
      {
        settle: () => {
          settles++;
          return rpc.call<PeerState>("settle");
        },
        fire: (id, when) => rpc.call("fire", { id, at: when }),
        advance: (when) => rpc.call("advance", { at: when }),
      },
      T0 + 60 * MIN,
      { peerIdle: (s) => s.received >= sent, ...(withSentToPeer ? { sentToPeer: () => sent } : {}) },
    );
    const { log } = await rpc.call<{ log: string[] }>("log");
    await rpc.call("close");
    return { log, settles };
  } finally {
    socket.close();
    if (child.exitCode === null) child.kill();
    await child.exited;
  }
}

test("a peer that was sent nothing since it last settled quiet is not asked to settle again, and hears the same", async () => {
  const asked = await quietTimersRun(false);
  const told = await quietTimersRun(true);
  const expected = ['peer heard "run ended" at 10', "peer follow-up at 15", "peer timer at 20", "peer timer at 30"];
  expect(asked.log).toEqual(expected);
  expect(told.log).toEqual(expected);
  // One settle fewer for each of the six timers that sent the peer nothing.
  expect(asked.settles - told.settles).toBe(6);
});
