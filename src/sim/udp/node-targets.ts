// Which UDP targets a node's Scheduler sends to. On a real multi-node site every node has its own
// LocalLogConfig.xml, so a task's datagrams go where the appender of the node that ran it points: one Steward per
// site (all nodes point at it: the site-wide `targets`) or one Steward per node (each node points at its own).
import { SimError } from "../errors";
import type { NodeModel } from "../site/model";
import type { UdpSettings, UdpTarget } from "../settings";

/** A node by name, host name or id (case-insensitive). */
export function findNode(nodes: readonly NodeModel[], ref: string): NodeModel | undefined {
  const key = ref.toLowerCase();
  return nodes.find((n) => n.name.toLowerCase() === key) ?? nodes.find((n) => n.hostName.toLowerCase() === key) ?? nodes.find((n) => n.id === key);
}

/** Re-keys per-node targets by each node's own name; an unknown node is an error naming the known ones. */
export function canonicalNodeTargets(nodes: readonly NodeModel[], input: Record<string, UdpTarget[]>): Record<string, UdpTarget[]> {
  const out: Record<string, UdpTarget[]> = {};
  for (const [ref, targets] of Object.entries(input)) {
    const node = findNode(nodes, ref);
    if (!node) {
      throw new SimError("BAD_REQUEST", `unknown node '${ref}' in UDP node targets (the site's nodes: ${nodes.map((n) => n.name).join(", ")})`);
    }
    out[node.name] = targets.map((t) => ({ host: t.host, port: t.port }));
  }
  return out;
}

/** Targets of the node's appender: its own when it has them, else the site-wide ones. */
export function targetsOfNode(udp: UdpSettings, nodeName: string): UdpTarget[] {
  return Object.hasOwn(udp.nodeTargets, nodeName) ? udp.nodeTargets[nodeName]! : udp.targets;
}

/** Per node: where its datagrams go and whether those are its own targets (for the control API and the CLI). */
export function nodeTargetView(nodes: readonly NodeModel[], udp: UdpSettings) {
  return nodes.map((n) => ({
    node: n.name,
    hostName: n.hostName,
    own: Object.hasOwn(udp.nodeTargets, n.name),
    targets: targetsOfNode(udp, n.name).map((t) => `${t.host.includes(":") ? `[${t.host}]` : t.host}:${t.port}`),
    engineSends: udp.engine && !udp.engineSilentNodes.includes(n.name),
  }));
}
