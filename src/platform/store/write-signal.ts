// Tells the WAL checkpointer that the store's connection wrote, so that it looks at the WAL only then: a timer that
// polled the file whatever happened woke an idle Steward four times a second (issue 78). Every statement that is
// not a SELECT, and every exec(), counts as a write; a false alarm costs one look at the file.
import type { DatabaseSync, StatementSync } from "node:sqlite";

type Run = (...args: never[]) => unknown;

/** A plain SELECT changes nothing (a RETURNING clause belongs to an INSERT, UPDATE or DELETE). */
const READ_ONLY = /^\s*SELECT\b/i;

/** Wraps the connection's prepare() and exec() so that `onWrite` is called after every statement that may write. */
export function signalWrites(db: DatabaseSync, onWrite: () => void): void {
  const prepare = db.prepare.bind(db);
  const exec = db.exec.bind(db);
  db.prepare = (sql: string) => {
    const st = prepare(sql);
    if (!READ_ONLY.test(sql)) for (const name of ["run", "get", "all"] as const) after(st, name, onWrite);
    return st;
  };
  db.exec = (sql: string) => {
    exec(sql);
    onWrite();
  };
}

function after(st: StatementSync, name: "run" | "get" | "all", onWrite: () => void): void {
  const fn = st[name] as Run;
  (st as unknown as Record<string, Run>)[name] = (...args: never[]) => {
    const result = fn.apply(st, args);
    onWrite();
    return result;
  };
}
