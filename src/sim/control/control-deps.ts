// What the control API's routes reach: the simulated site and its parts, and the request they answer.
import type { CloudTenant } from "../cloud";
import type { EngineState } from "../engine/state";
import type { Repository } from "../repo/repository";
import type { SimSettings } from "../settings";
import type { TaskRunner } from "../tasks/runner";
import type { TaskScheduler } from "../tasks/scheduler";
import type { Faults } from "../traffic/faults";
import type { RequestLog } from "../traffic/request-log";
import type { UdpEmitter } from "../udp/emitter";
import type { Listener } from "../util/listener";
import type { Router } from "../util/router";

export interface ControlDeps {
  repo: Repository;
  runner: TaskRunner;
  settings: SimSettings;
  requestLog: RequestLog;
  faults: Faults;
  udp: UdpEmitter;
  engine: EngineState;
  listeners: { qrs: Listener; engine: Listener };
  now: () => number;
  scheduler?: TaskScheduler;
  /** The simulated Qlik Cloud tenant, when started (--cloud-port). */
  cloud?: CloudTenant;
}

export interface ControlContext {
  url: URL;
  body: unknown;
}

export type ControlRouter = Router<ControlContext>;
