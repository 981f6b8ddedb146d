// Engine state shared by all sessions: per-app content (cached per script), app property edits, reload history.
import type { Clock } from "../../platform/core/clock";
import type { Repository } from "../repo/repository";
import type { NodeModel } from "../site/model";
import type { EngineLogSink } from "./engine-log";
import type { SimSettings } from "../settings";
import { buildAppContent, type AppContent } from "./app-content";
import type { Json } from "./rpc";

export interface EngineReloadRecord {
  id: string;
  appId: string;
  appName: string;
  user: string;
  partial: boolean;
  mode: number;
  startMs: number;
  stopMs: number | undefined;
  status: "running" | "succeeded" | "failed" | "cancelled";
  scriptLogFile: string;
  scriptLog: string | undefined;
}

export interface EngineState {
  repo: Repository;
  settings: SimSettings;
  now: () => number;
  /** Reloads' durations wait on it. */
  clock: Clock;
  content(appId: string): AppContent;
  /** SetAppProperties edits, by app id. */
  appProps: Map<string, Json>;
  reloads: EngineReloadRecord[];
  addReload(r: EngineReloadRecord): void;
  /** Where the Engine's log lines about reloads go (its appenders). */
  log: EngineLogSink;
  /** The node whose Engine a session runs on: the one named (name, host name or id), else the central node. */
  nodeFor(ref: string | undefined): NodeModel;
}

const KEEP_RELOADS = 1_000;

export function createEngineState(repo: Repository, settings: SimSettings, now: () => number, clock: Clock, log: EngineLogSink = () => {}): EngineState {
  const cache = new Map<string, { script: string; content: AppContent }>();
  const reloads: EngineReloadRecord[] = [];
  return {
    repo,
    settings,
    now,
    clock,
    content(appId) {
      const app = repo.findApp(appId);
      if (!app) throw new Error(`unknown app ${appId}`);
      const hit = cache.get(app.model.id);
      if (hit && hit.script === app.script) return hit.content;
      const content = buildAppContent(app.model, app.script);
      cache.set(app.model.id, { script: app.script, content });
      return content;
    },
    appProps: new Map(),
    reloads,
    addReload(r) {
      reloads.push(r);
      if (reloads.length > KEEP_RELOADS) reloads.shift();
    },
    log,
    nodeFor(ref) {
      const nodes = repo.site.nodes;
      const key = ref?.toLowerCase();
      const named = key ? nodes.find((n) => n.name.toLowerCase() === key || n.hostName.toLowerCase() === key || n.id === key) : undefined;
      return named ?? nodes.find((n) => n.central) ?? nodes[0]!;
    },
  };
}
