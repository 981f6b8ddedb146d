// Typed helpers for the Engine calls Steward makes: OpenDoc, GetDocList, handle-returning calls. They keep
// the qReturn/qHandle unwrapping in one place.
import { AppError } from "../core/errors";
import type { EngineSession } from "./engine-session";

export const GLOBAL_HANDLE = -1;

export interface EngineHandleRef {
  qType: string | null;
  qHandle: number | null;
  qGenericId?: string;
  qGenericType?: string;
}

/** Unwraps `{qReturn:{qHandle}}`; a null handle means the object does not exist. */
export function handleOf(result: Record<string, unknown>, what: string): number {
  const ref = result.qReturn as EngineHandleRef | undefined;
  if (!ref || typeof ref.qHandle !== "number") throw new AppError("NOT_FOUND", `Engine: ${what} not found`);
  return ref.qHandle;
}

/** OpenDoc(appId, "", "", "", noData). A dump opens without data; a reload with data. */
export async function openDoc(session: EngineSession, appId: string, noData: boolean): Promise<number> {
  const r = await session.call(GLOBAL_HANDLE, "OpenDoc", [appId, "", "", "", noData]);
  return handleOf(r, `app ${appId}`);
}

export interface EngineDocListEntry {
  qDocName: string;
  qDocId: string;
  qTitle?: string;
  qLastReloadTime?: string;
  qFileSize?: number;
  qMeta?: { published?: boolean; stream?: { id: string; name: string } | null; [k: string]: unknown };
  [k: string]: unknown;
}

export async function getDocList(session: EngineSession): Promise<EngineDocListEntry[]> {
  const r = await session.call<{ qDocList?: EngineDocListEntry[] }>(GLOBAL_HANDLE, "GetDocList", []);
  return r.qDocList ?? [];
}

export async function engineVersion(session: EngineSession): Promise<string | undefined> {
  const r = await session.call<{ qVersion?: { qComponentVersion?: string } }>(GLOBAL_HANDLE, "EngineVersion", []);
  return r.qVersion?.qComponentVersion;
}

/** Calls a handle-returning method (CreateSessionObject, GetObject, GetDimension …) and returns the handle. */
export async function callForHandle(session: EngineSession, handle: number, method: string, params: unknown[], what: string): Promise<number> {
  return handleOf(await session.call(handle, method, params), what);
}
