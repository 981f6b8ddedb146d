// The peer epoch a Steward keeps from its heartbeats, and the gate its looks for other Stewards' work ask
// (src/platform/cluster/peer-epoch.ts, peer-poll.ts): a look is skipped only while the Steward is alone and nothing
// moved since the module's last look.
import { expect, test } from "bun:test";
import { createPeerEpoch } from "../../../../src/platform/cluster/peer-epoch";
import { peerLookGate } from "../../../../src/platform/cluster/peer-poll";
import { createSilentLogger } from "../../../../src/platform/core/logger";

test("the epoch moves with the store's counter, when alone() flips either way, and when the clock offset moves past a second", () => {
  const peers = createPeerEpoch(createSilentLogger());
  let woken = 0;
  peers.surface.onPeerEpoch(() => woken++);
  const { peerEpoch } = peers.surface;
  peers.heard(7, false, 0); // the first heartbeat: not alone (its own bump is where the counter starts)
  expect([peerEpoch(), woken]).toEqual([0, 0]);
  peers.heard(7, true, 0); // the last other member stopped
  expect([peerEpoch(), woken]).toEqual([1, 1]);
  peers.heard(7, true, 400);
  peers.heard(7, true, 900); // under a second from where it was at the last move
  expect(peerEpoch()).toBe(1);
  peers.heard(8, true, 900); // a member's first heartbeat, or an import
  expect(peerEpoch()).toBe(2);
  peers.heard(8, true, -200); // the clocks moved 1.1 s against each other
  expect(peerEpoch()).toBe(3);
  peers.heard(8, false, -200); // a member is seen
  expect([peerEpoch(), woken]).toEqual([4, 4]);
});

test("a gate lets the first look through, skips while alone and unchanged, and lets one through after a change or a failed look", () => {
  let alone = false;
  let epoch = 0;
  const gate = peerLookGate({ alone: () => alone, peerEpoch: () => epoch });
  expect([gate(), gate()]).toEqual([true, true]); // with other members: every look
  alone = true;
  expect(gate()).toBe(false); // alone, the epoch where the last look saw it
  epoch++;
  expect([gate(), gate()]).toEqual([true, false]);
  gate.missed();
  expect([gate(), gate()]).toEqual([true, false]);
  const fresh = peerLookGate({ alone: () => true, peerEpoch: () => epoch });
  expect([fresh(), fresh()]).toEqual([true, false]); // a module's first look always runs
});
