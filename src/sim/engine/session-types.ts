// Types shared by the Engine session and its method tables.
import type { BookmarkDef, DimensionDef, MeasureDef, ObjectDef, VariableDef } from "./app-content";
import type { PendingReload } from "./reload";
import type { Json, RpcRequest } from "./rpc";
import type { EngineState } from "./state";

export type HandleObject =
  | { kind: "Global" }
  | { kind: "Doc"; appId: string }
  | {
      kind: "GenericObject";
      appId: string;
      id: string;
      genericType: string;
      session: Json | undefined;
      def: ObjectDef | undefined;
      child: ObjectDef["children"][number] | undefined;
      rank: number;
    }
  | { kind: "GenericDimension"; appId: string; def: DimensionDef }
  | { kind: "GenericMeasure"; appId: string; def: MeasureDef }
  | { kind: "GenericBookmark"; appId: string; def: BookmarkDef }
  | { kind: "GenericVariable"; appId: string; def: VariableDef };

export interface EngineSession {
  state: EngineState;
  /** `DIRECTORY\userid` from X-Qlik-User. */
  user: string;
  /** The Engine session's id (its log lines' SessionId). */
  id: string;
  /** The node whose Engine runs it (`X-Sim-Node`, default the central node). */
  node: { name: string; hostName: string };
  /** "0" (the Engine API on 4747), or the Qlik Proxy's session when the upgrade said it came through one (`X-Sim-Proxy-Session`). */
  proxySessionId: string;
  userHeader: string;
  path: string;
  handles: Map<number, HandleObject>;
  nextHandle: number;
  docHandle: number | undefined;
  reloads: PendingReload[];
  /** Set by ConfigureReload; the Engine fills GetProgress's qErrorData only when useErrorData is on. */
  reloadConfig: { cancelOnScriptError: boolean; useErrorData: boolean; interactOnError: boolean };
  closed: boolean;
}

export interface MethodDef {
  params: readonly string[];
  run(s: EngineSession, h: HandleObject, args: Json, req: RpcRequest): Json | Promise<Json>;
}

export type MethodTable = Record<string, MethodDef>;

export function addHandle(s: EngineSession, h: HandleObject): number {
  const n = s.nextHandle++;
  s.handles.set(n, h);
  return n;
}
