// The store's WAL checkpoints on a thread of their own (wal-checkpointer.ts starts it): its own connection to the
// database file copies the WAL's pages into it and syncs both files, which held the event loop 40-60 ms every second
// or so under a load of writes when SQLite did it inside a commit (issue 69). Passive checkpoints only: nobody ever
// waits for this thread (a restart, which holds the writers, is the main connection's: wal-checkpointer.ts).
import { DatabaseSync } from "node:sqlite";

/** `closed` is set to 1 (and notified) once the connection is closed: the main thread waits on it synchronously. */
export type CheckpointRequest = { op: "open"; file: string; closed: Int32Array } | { op: "checkpoint" } | { op: "truncate" } | { op: "close" };
export type CheckpointReply =
  | { op: "open"; ok: true }
  | { op: "checkpoint"; ok: true; walPages: number; copied: number }
  | { op: "truncate"; ok: true; cut: boolean }
  | { op: "close"; ok: true }
  | { op: CheckpointRequest["op"]; ok: false; error: string; errcode?: number };

interface Outcome {
  busy: number;
  log: number;
  checkpointed: number;
}

let db: DatabaseSync | undefined;
let closedFlag: Int32Array | undefined;

function handle(request: CheckpointRequest): CheckpointReply {
  if (request.op === "open") {
    closedFlag = request.closed;
    db = new DatabaseSync(request.file);
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA synchronous = NORMAL");
    return { op: "open", ok: true };
  }
  if (request.op === "close") {
    try {
      db?.close();
    } finally {
      db = undefined;
      if (closedFlag) {
        Atomics.store(closedFlag, 0, 1);
        Atomics.notify(closedFlag, 0);
      }
    }
    return { op: "close", ok: true };
  }
  if (!db) throw new Error("the checkpoint connection is not open");
  if (request.op === "truncate") return truncate(db);
  const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)").get() as unknown as Outcome;
  return { op: "checkpoint", ok: true, walPages: passive.log, copied: passive.checkpointed };
}

/**
 * Copies the whole WAL and cuts the file to nothing (asked once the store is quiet after a burst of writes). It needs
 * every reader off the WAL and the writer's lock: with busy_timeout 0 it gives up at once when they are taken, and is
 * asked again later; a write of the main connection meanwhile waits the few milliseconds it takes.
 */
function truncate(conn: DatabaseSync): CheckpointReply {
  try {
    const r = conn.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as unknown as Outcome;
    return { op: "truncate", ok: true, cut: r.busy === 0 };
  } catch (err) {
    if (/busy|locked/i.test(err instanceof Error ? err.message : String(err))) return { op: "truncate", ok: true, cut: false };
    throw err;
  }
}

const scope = globalThis as unknown as { onmessage: (e: MessageEvent<CheckpointRequest>) => void; postMessage(m: CheckpointReply): void };
scope.onmessage = (e) => {
  try {
    scope.postMessage(handle(e.data));
  } catch (err) {
    const errcode = (err as { errcode?: unknown } | null)?.errcode;
    scope.postMessage({
      op: e.data.op,
      ok: false,
      error: err instanceof Error ? err.message : String(err),
      ...(typeof errcode === "number" ? { errcode } : {}),
    });
  }
};
