// The store's WAL checkpoints on a thread of their own (wal-checkpointer.ts starts it): its own connection to the
// database file copies the WAL's pages into it and syncs both files, which held the event loop 40-60 ms every second
// or so under a load of writes when SQLite did it inside a commit (issue 69). A passive checkpoint: nobody waits for
// it, and the next write after it starts the WAL over once every page is copied. Under writes that never pause that
// moment does not come, so past a size the checkpointer asks for a restart as well: the pages written meanwhile are
// copied holding the writers (a millisecond or two), or not at all if a transaction is open (no waiting here).
import { DatabaseSync } from "node:sqlite";

/** `closed` is set to 1 (and notified) once the connection is closed: the main thread waits on it synchronously. */
export type CheckpointRequest = { op: "open"; file: string; closed: Int32Array } | { op: "checkpoint"; restart: boolean } | { op: "close" };
export type CheckpointReply =
  | { op: "open"; ok: true }
  | { op: "checkpoint"; ok: true; walPages: number; copied: number; restarted: boolean }
  | { op: "close"; ok: true }
  | { op: CheckpointRequest["op"]; ok: false; error: string };

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
    // A restart never waits: while it would, it holds the writers, and the main thread is one (the next one retries).
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
  const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)").get() as unknown as Outcome;
  let restarted = false;
  if (request.restart) {
    try {
      restarted = (db.prepare("PRAGMA wal_checkpoint(RESTART)").get() as unknown as Outcome).busy === 0;
    } catch {
      // SQLITE_BUSY: a writer's transaction was open; the next checkpoint tries again.
    }
  }
  return { op: "checkpoint", ok: true, walPages: passive.log, copied: passive.checkpointed, restarted };
}

const scope = globalThis as unknown as { onmessage: (e: MessageEvent<CheckpointRequest>) => void; postMessage(m: CheckpointReply): void };
scope.onmessage = (e) => {
  try {
    scope.postMessage(handle(e.data));
  } catch (err) {
    scope.postMessage({ op: e.data.op, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
