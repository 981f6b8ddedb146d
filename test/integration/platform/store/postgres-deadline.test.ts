// A caller's deadline (an HTTP request's, core/deadline.ts) on the PostgreSQL store: the caller stops waiting at it
// while the statement runs on under statementTimeoutMs; past the deadline nothing more is sent
// (outcome notApplied); once the request is answered its deadline no longer binds work it left running.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { currentDeadline, withDeadline } from "../../../../src/platform/core/deadline";
import { createPostgresDb } from "../../../../src/platform/store/postgres-db";
import { mayHaveBeenApplied, type SqlDb, StoreDeadlineError } from "../../../../src/platform/store/sql";
import { waitFor } from "../../../helpers/wait-for";
import { startPostgres, type PostgresService } from "../../../helpers/services";

let pg: PostgresService;
let db: SqlDb;

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("deadline");
  db = createPostgresDb({ url, maxConnections: 2, connectTimeoutMs: 1000, tls: false, applicationName: "deadline" });
  await db.exec("CREATE TABLE marks (id INTEGER PRIMARY KEY)");
}, 60_000);

afterAll(async () => {
  await db?.close();
  await pg?.stop();
});

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

test("the caller stops at its deadline; the statement runs on to its end", { timeout: 20_000 }, async () => {
  const started = performance.now();
  const err = await errorOf(withDeadline(300, () => db.run("INSERT INTO marks (id) SELECT 1 FROM pg_sleep(3)")));
  // The deadline is Steward's: the caller is answered well before the 3 s statement ends, however busy the machine.
  expect(performance.now() - started).toBeLessThan(2_500);
  expect(err).toBeInstanceOf(StoreDeadlineError);
  // The statement was sent: it may have been applied (and here it is, a moment later).
  expect(mayHaveBeenApplied(err)).toBe(true);
  await waitFor(async () => (await db.get<{ n: number }>("SELECT count(*) AS n FROM marks WHERE id = 1"))?.n === 1, { what: "the statement's row" });
});

test("past the deadline nothing more is sent: the outcome is notApplied, unless something was sent before", async () => {
  const nothingSent = await errorOf(
    withDeadline(1, async () => {
      await Bun.sleep(20);
      return db.run("INSERT INTO marks (id) VALUES (2)");
    }),
  );
  expect(nothingSent).toBeInstanceOf(StoreDeadlineError);
  expect(mayHaveBeenApplied(nothingSent)).toBe(false);
  const afterAWrite = await errorOf(
    withDeadline(200, async () => {
      await db.run("INSERT INTO marks (id) VALUES (3)");
      await Bun.sleep(300);
      return db.run("INSERT INTO marks (id) VALUES (4)");
    }),
  );
  expect(mayHaveBeenApplied(afterAWrite)).toBe(true);
  expect(await db.all<{ id: number }>("SELECT id FROM marks WHERE id IN (2, 3, 4) ORDER BY id")).toEqual([{ id: 3 }]);
});

test("once the request is answered, work it left running gets the store's own limits", async () => {
  let later: Promise<unknown> | undefined;
  await withDeadline(50, async () => {
    expect(currentDeadline()).toBeDefined();
    later = Bun.sleep(100).then(() => db.get<{ x: number }>("SELECT 1 AS x"));
  });
  expect(await later).toEqual({ x: 1 });
});
