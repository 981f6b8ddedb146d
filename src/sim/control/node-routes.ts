// Control routes of the Scheduler (pause, resume, fire a trigger) and of nodes: they take a node, or one Qlik service on it, down and up: a node down starts none of its tasks'
// triggered runs and the central Repository reports every service of it as NoCommunication; one service down shows
// only that one so (and the Scheduler's also stops the node's triggered runs, as a Scheduler that is not running would).
import type { Repository } from "../repo/repository";
import { SIM_SERVICES, type SimService, servicesOf } from "../repo/node-services";
import type { NodeModel } from "../site/model";
import type { TaskScheduler } from "../tasks/scheduler";
import { json } from "../util/http";

type Add = (method: string, path: string, h: (params: Record<string, string | undefined>) => Response) => void;

export const NODE_ENDPOINTS = [
  "GET /scheduler",
  "POST /scheduler/pause",
  "POST /scheduler/resume",
  "POST /triggers/{id}/fire",
  "POST /nodes/{node}/down",
  "POST /nodes/{node}/up",
  "POST /nodes/{node}/services/{service}/down",
  "POST /nodes/{node}/services/{service}/up",
];

export interface NodeRouteDeps {
  repo: Repository;
  node(ref: string): NodeModel;
  scheduler: TaskScheduler | undefined;
  notFound(message: string): Error;
}

export function addNodeRoutes(add: Add, d: NodeRouteDeps): void {
  const scheduler = () => {
    if (!d.scheduler) throw d.notFound("this simulator has no scheduler");
    return d.scheduler;
  };
  const nameOf = (id: string) => d.repo.site.nodes.find((n) => n.id === id)?.name ?? id;
  const view = () => ({
    paused: d.scheduler?.paused() ?? false,
    downNodes: (d.scheduler?.downNodes() ?? []).map(nameOf),
    servicesDown: Object.fromEntries([...d.repo.servicesDown].map(([id, s]) => [nameOf(id), [...s].sort()])),
  });
  add("GET", "/scheduler", () => json(200, view()));
  add("POST", "/scheduler/pause", () => (scheduler().pause(), json(200, view())));
  add("POST", "/scheduler/resume", () => (scheduler().resume(), json(200, view())));
  add("POST", "/triggers/:id/fire", (p) => {
    if (!scheduler().fireTrigger(p.id!)) throw d.notFound(`no trigger ${p.id} that can fire now (unknown, or the scheduler is paused, or its node is down)`);
    return json(200, { fired: p.id });
  });
  const set = (n: NodeModel, services: readonly SimService[], down: boolean) => {
    const now = d.repo.servicesDown.get(n.id) ?? new Set<SimService>();
    for (const s of services) down ? now.add(s) : now.delete(s);
    if (now.size === 0) d.repo.servicesDown.delete(n.id);
    else d.repo.servicesDown.set(n.id, now);
  };
  const service = (n: NodeModel, name: string | undefined): SimService => {
    const s = (name ?? "").toLowerCase();
    if (!(s in SIM_SERVICES) || !servicesOf(n.central).includes(s as SimService))
      throw d.notFound(`node ${n.name} runs no service '${name}' (it runs ${servicesOf(n.central).join(", ")})`);
    return s as SimService;
  };
  const toggle = (p: Record<string, string | undefined>, down: boolean) => {
    const n = d.node(p.node!);
    scheduler().setNodeDown(n.id, down);
    set(n, servicesOf(n.central), down);
    return json(200, view());
  };
  add("POST", "/nodes/:node/down", (p) => toggle(p, true));
  add("POST", "/nodes/:node/up", (p) => toggle(p, false));
  const toggleService = (p: Record<string, string | undefined>, down: boolean) => {
    const n = d.node(p.node!);
    const s = service(n, p.service);
    if (s === "scheduler") scheduler().setNodeDown(n.id, down);
    set(n, [s], down);
    return json(200, view());
  };
  add("POST", "/nodes/:node/services/:service/down", (p) => toggleService(p, true));
  add("POST", "/nodes/:node/services/:service/up", (p) => toggleService(p, false));
}
