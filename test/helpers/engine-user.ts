// A person or an integration reloading an app through the simulator's Engine, as the hub, the data load editor or a
// script on the Engine API would: its own X-Qlik-User, optionally "through the Qlik Proxy" (the simulator's
// X-Sim-Proxy-Session) and on a chosen node (X-Sim-Node). On a stepped clock, opening the session and OpenDoc are
// work in flight; DoReload is not (its answer waits for the reload, which needs simulated time to pass).
import type { Clock } from "../../src/platform/core/clock";
import { inFlight } from "../../src/platform/core/stepped-clock";
import { runtime } from "../../src/platform/runtime";
import type { Simulator } from "../../src/sim";

export interface EngineUserReload {
  user: string;
  appId: string;
  /** A hub session: the Engine logs the Proxy's session id instead of "0". */
  viaProxy?: boolean;
  node?: string;
  /** DoReloadEx instead of DoReload. */
  ex?: boolean;
}

/** Reloads the app as `user`; resolves with the Engine's answer (true: the reload succeeded). */
export async function reloadAsUser(sim: Simulator, clock: Clock, r: EngineUserReload): Promise<boolean> {
  const [dir, id] = r.user.split("\\");
  const headers: Record<string, string> = { "X-Qlik-User": `UserDirectory=${dir}; UserId=${id}` };
  if (r.viaProxy) headers["X-Sim-Proxy-Session"] = "4f1c2a9e-7d3b-4c55-8e21-9a0b6c3d2f10";
  if (r.node) headers["X-Sim-Node"] = r.node;
  const ws = runtime.openWebSocket(`${sim.urls.engine}/app/${r.appId}`, {
    headers,
    tls: { cert: sim.certs.clientCert, key: sim.certs.clientKey, ca: sim.certs.ca, rejectUnauthorized: false },
  });
  const waiting = new Map<number, (msg: { result?: Record<string, unknown>; error?: { message: string } }) => void>();
  ws.addEventListener("message", (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
    if (typeof msg.id === "number") waiting.get(msg.id)?.(msg);
  });
  const call = (id: number, handle: number, method: string, params: unknown[]) =>
    new Promise<{ result?: Record<string, unknown>; error?: { message: string } }>((resolve) => {
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, handle, method, params }));
    });
  try {
    await inFlight(
      clock,
      new Promise<void>((resolve, reject) => {
        ws.addEventListener("open", () => resolve(), { once: true });
        ws.addEventListener("error", () => reject(new Error("the Engine session did not open")), { once: true });
      }),
      "a user's Engine session opening",
    );
    const opened = await inFlight(clock, call(1, -1, "OpenDoc", [r.appId]), "OpenDoc");
    if (opened.error) throw new Error(`OpenDoc: ${opened.error.message}`);
    const handle = (opened.result?.qReturn as { qHandle: number } | undefined)?.qHandle ?? 1;
    const done = await call(2, handle, r.ex ? "DoReloadEx" : "DoReload", r.ex ? [{ qMode: 0 }] : [0, false, false]);
    if (done.error) throw new Error(`DoReload: ${done.error.message}`);
    return r.ex ? (done.result?.qResult as { qSuccess?: boolean } | undefined)?.qSuccess === true : done.result?.qReturn === true;
  } finally {
    ws.close();
  }
}
