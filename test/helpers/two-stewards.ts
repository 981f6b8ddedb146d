// Two Stewards in this process sharing one PostgreSQL database (node-a started first, then node-b), with a short
// lease and a fast heartbeat so that a duty moves and a member is seen within a test: the set-up of the tests that
// act on one Steward and read or act again on the other.
import { createTestApp, type TestApp } from "./app";
import { type PostgresService, startPostgres } from "./services";

export interface TwoStewards {
  a: TestApp;
  b: TestApp;
  /** Stops node-b, then node-a, then PostgreSQL. */
  close(): Promise<void>;
}

/** Starts node-a and node-b on a new database `database`, each with the config `rest` after its store block. */
export async function startTwoStewards(database: string, rest: string): Promise<TwoStewards> {
  const pg: PostgresService = await startPostgres();
  const url = await pg.createDatabase(database);
  const yaml = (name: string) => `store:\n  postgres: { url: "${url}", instanceName: ${name}, leaseTtlMs: 2000, heartbeatIntervalMs: 300 }\n${rest}`;
  const started: TestApp[] = [];
  const close = async () => {
    for (const t of started.reverse()) await t.close();
    await pg.stop();
  };
  try {
    for (const name of ["node-a", "node-b"]) {
      const t = createTestApp(yaml(name));
      started.push(t);
      await t.app.start();
    }
  } catch (err) {
    // The test's afterAll has nothing to close yet: leave no Steward or PostgreSQL running.
    await close();
    throw err;
  }
  return { a: started[0]!, b: started[1]!, close };
}
