// Control API: what the simulator's listeners do with the traffic: the request log, injected faults, timing
// settings, the Scheduler's UDP appenders and their targets, and taking the QRS or Engine listener down.
import { z } from "zod";
import {
  applySettingsPatch,
  assignPresent,
  parseUdpTarget,
  SimSettingsPatchSchema,
  UdpSettingsPatchSchema,
  type UdpTarget,
  UdpTargetSchema,
} from "../settings";
import { FaultInputSchema } from "../traffic/faults";
import { nodeTargetView } from "../udp/node-targets";
import { empty, json } from "../util/http";
import type { ControlDeps, ControlRouter } from "./control-deps";
import { BadRequest, NotFound, parse } from "./control-errors";
import { siteNode } from "./task-run-routes";

const DownSchema = z.strictObject({ ms: z.int().min(1).optional() });
const TargetsSchema = z.array(z.union([UdpTargetSchema, z.string()]));
const EngineSendsSchema = z.strictObject({ sends: z.boolean() });

export function addRequestAndFaultRoutes(r: ControlRouter, deps: ControlDeps): void {
  r.add("GET", "/requests", (c) => {
    const q = c.url.searchParams;
    const source = q.get("source");
    return json(
      200,
      deps.requestLog.list({
        ...(source === "qrs" || source === "engine" || source === "version" ? { source } : {}),
        ...(q.has("sinceSeq") ? { sinceSeq: Number(q.get("sinceSeq")) } : {}),
        ...(q.has("method") ? { method: q.get("method")! } : {}),
        ...(q.has("path") ? { pathContains: q.get("path")! } : {}),
      }),
    );
  });
  r.add("DELETE", "/requests", () => {
    deps.requestLog.clear();
    return empty(204);
  });

  r.add("GET", "/faults", () => json(200, deps.faults.list(deps.now())));
  r.add("POST", "/faults", (c) => json(201, deps.faults.add(parse(FaultInputSchema, c.body), deps.now())));
  r.add("DELETE", "/faults", () => {
    deps.faults.clear();
    return empty(204);
  });
  r.add("DELETE", "/faults/:id", (_c, p) => (deps.faults.remove(p.id!) ? empty(204) : json(404, { error: "no such fault" })));
  r.add("POST", "/faults/:id/release", (_c, p) => (deps.faults.release(p.id!) ? empty(204) : json(404, { error: "no such fault" })));
}

export function addSettingsAndUdpRoutes(r: ControlRouter, deps: ControlDeps): void {
  const { repo, settings } = deps;
  const node = (ref: string) => siteNode(repo, ref);
  const targetsFrom = (body: unknown): UdpTarget[] =>
    parse(TargetsSchema, body).map((i) => {
      const t = typeof i === "string" ? parseUdpTarget(i) : i;
      if (!t) throw new BadRequest(`invalid UDP target '${String(i)}' (host:port)`);
      return t;
    });
  const udpView = () => ({ ...settings.udp, nodes: nodeTargetView(repo.site.nodes, settings.udp) });

  r.add("GET", "/settings", () => json(200, settings));
  r.add("PATCH", "/settings", (c) => {
    applySettingsPatch(settings, parse(SimSettingsPatchSchema, c.body), c.body);
    return json(200, settings);
  });
  r.add("GET", "/udp", () => json(200, { settings: udpView(), sent: deps.udp.recent() }));
  r.add("PATCH", "/udp", (c) => {
    assignPresent(settings.udp, parse(UdpSettingsPatchSchema, c.body), (c.body ?? {}) as object);
    return json(200, udpView());
  });
  r.add("PUT", "/udp/targets", (c) => {
    settings.udp.targets = targetsFrom(c.body);
    return json(200, udpView());
  });
  // One node's own appender targets (one Steward per node); an empty list silences that node's appender.
  r.add("PUT", "/udp/nodes/:node/targets", (c, p) => {
    const n = node(p.node!);
    settings.udp.nodeTargets[n.name] = targetsFrom(c.body);
    return json(200, udpView());
  });
  // Back to the site-wide targets for that node.
  r.add("DELETE", "/udp/nodes/:node/targets", (_c, p) => {
    delete settings.udp.nodeTargets[node(p.node!).name];
    return json(200, udpView());
  });
  // One node's Engine lines on or off (its appender file gone after an upgrade, the audit log level Off): its Scheduler runs on.
  r.add("PUT", "/udp/nodes/:node/engine", (c, p) => {
    const name = node(p.node!).name;
    const { sends } = parse(EngineSendsSchema, c.body);
    settings.udp.engineSilentNodes = settings.udp.engineSilentNodes.filter((n) => n !== name);
    if (!sends) settings.udp.engineSilentNodes.push(name);
    return json(200, udpView());
  });
  r.add("DELETE", "/udp/sent", () => {
    deps.udp.clearRecent();
    return empty(204);
  });
}

export function addListenerRoutes(r: ControlRouter, deps: ControlDeps): void {
  const listener = (name: string) => {
    if (name !== "qrs" && name !== "engine") throw new NotFound(`no listener ${name} (qrs or engine)`);
    return deps.listeners[name];
  };
  r.add("POST", "/listeners/:name/down", (c, p) => {
    const l = listener(p.name!);
    const b = parse(DownSchema, c.body);
    l.down(b.ms);
    return json(200, { name: p.name, up: l.isUp(), backInMs: b.ms ?? null });
  });
  r.add("POST", "/listeners/:name/up", (_c, p) => {
    const l = listener(p.name!);
    l.up();
    return json(200, { name: p.name, up: l.isUp() });
  });
}
