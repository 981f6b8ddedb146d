// The demo's scenes for the two things the docs present most beside the Scheduler's tasks, within its first two
// minutes. A person reloads a published app from the hub and it fails: the simulator's Engine logs the reload and its
// appender (Steward's Engine file, on every node) sends the lines to Steward, which alerts app.reload_failed. And a
// node's Scheduler queue backs up: one run holds the node's only engine, the next waits in the queue until Qlik
// cancels it a minute later; the watchdog reads both from QRS and pages scheduler.queue_backlog, the cancelled run is
// the cause's symptom and the queue emptying its recovery. Both are real to Steward: datagrams and QRS, as on a site.
import { wallClock } from "../../platform/core/clock";
import { runtime } from "../../platform/runtime";
import type { Simulator } from "../../sim";
import { DEMO_HUB_APP, DEMO_QUEUE_HOLDER, DEMO_QUEUE_HOST, DEMO_QUEUE_WAITER } from "./demo-site";
import type { DemoTerminal } from "./terminal";
import type { Later, Run } from "./watchdog-scenes";

/** The hub user, the node the Proxy sent them to, and when. */
const HUB_USER = { userDirectory: "CORP", userId: "erik" };
const HUB_NODE = "Reload01";
const HUB_AT_MS = 24_000;
/**
 * The queue: the holder takes the node's one engine, the waiter queues behind it and is cancelled after a minute. A
 * run asks for an engine a tenth of its length after its start (2 s at most, simulator's pace): the waiter starts
 * after the holder has taken it.
 */
const HOLD_AT_MS = 18_000;
const HOLD_MS = 85_000;
const WAIT_AT_MS = 22_000;
/** A session id of the Qlik Proxy's shape: the Engine logs it for a reload that came through the hub. */
const PROXY_SESSION = "7c1e4b2a-9d3f-4e58-a6b1-2f0c9e8d7a63";

export interface OutsideScenes {
  /** Tasks the scenes drive: the story's rounds leave them alone. */
  taskIds: ReadonlySet<string>;
  start(later: Later, run: Run): void;
}

export function createOutsideScenes(sim: Simulator, term: DemoTerminal): OutsideScenes {
  const holder = sim.site.tasks.find((t) => t.name === DEMO_QUEUE_HOLDER);
  const waiter = sim.site.tasks.find((t) => t.name === DEMO_QUEUE_WAITER);
  const app = sim.site.apps.find((a) => a.name === DEMO_HUB_APP);
  const taskIds = new Set([holder?.id, waiter?.id].filter((id): id is string => id !== undefined));

  const hubReload = () => {
    if (!app) return;
    const user = `${HUB_USER.userDirectory}\\${HUB_USER.userId}`;
    term.started(`${app.name} (reloaded from the hub by ${user})`, "demo: a person's reload outside the Scheduler");
    reloadFromHub(sim, app.id).then(
      (ok) => {
        if (ok) term.note(`${app.name}: the hub reload succeeded, which the demo did not expect`);
      },
      (err: unknown) => term.note(`${app.name}: the hub reload could not be played: ${String(err)}`),
    );
  };

  return {
    taskIds,
    start(later, run) {
      later(HUB_AT_MS, hubReload);
      if (!holder || !waiter) return;
      later(HOLD_AT_MS, () => run(holder, HOLD_MS, `demo: takes the only engine of ${DEMO_QUEUE_HOST} for ${HOLD_MS / 1000} s`));
      later(WAIT_AT_MS, () => {
        run(waiter, 3_000, `demo: waits in the queue of ${DEMO_QUEUE_HOST}; Qlik cancels it after its 1-minute queue timeout`);
      });
    },
  };
}

/**
 * Opens the app in the simulator's Engine as the hub does for a user (through the Qlik Proxy, on the node the Proxy
 * chose) and reloads it; resolves with the Engine's answer. The Engine logs the reload as the user's.
 */
async function reloadFromHub(sim: Simulator, appId: string): Promise<boolean> {
  const ws = runtime.openWebSocket(`${sim.urls.engine}/app/${appId}`, {
    headers: {
      "X-Qlik-User": `UserDirectory=${HUB_USER.userDirectory}; UserId=${HUB_USER.userId}`,
      "X-Sim-Proxy-Session": PROXY_SESSION,
      "X-Sim-Node": HUB_NODE,
    },
    tls: { cert: sim.certs.clientCert, key: sim.certs.clientKey, ca: sim.certs.ca, rejectUnauthorized: true },
  });
  const answers = new Map<number, (msg: { result?: Record<string, unknown>; error?: { message: string } }) => void>();
  // A session that closes (the Engine stopped, the demo's minute ran out) answers every call still waiting.
  ws.addEventListener("close", () => {
    for (const answer of answers.values()) answer({ error: { message: "the Engine session closed" } });
  });
  ws.addEventListener("message", (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
    if (typeof msg.id === "number") answers.get(msg.id)?.(msg);
  });
  const call = (id: number, handle: number, method: string, params: unknown[]) =>
    new Promise<{ result?: Record<string, unknown>; error?: { message: string } }>((resolve) => {
      answers.set(id, resolve);
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, handle, method, params }));
    });
  const timeout = wallClock.setTimeout(() => ws.close(), 60_000);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error("the Engine session did not open")), { once: true });
      ws.addEventListener("close", () => reject(new Error("the Engine session closed before it opened")), { once: true });
    });
    const opened = await call(1, -1, "OpenDoc", [appId]);
    if (opened.error) throw new Error(`OpenDoc: ${opened.error.message}`);
    const handle = (opened.result?.qReturn as { qHandle: number } | undefined)?.qHandle ?? 1;
    const done = await call(2, handle, "DoReload", [0, false, false]);
    if (done.error) throw new Error(`DoReload: ${done.error.message}`);
    return done.result?.qReturn === true;
  } finally {
    wallClock.clearTimeout(timeout);
    ws.close();
  }
}
