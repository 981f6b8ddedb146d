// The Stewards of a test that runs on both stores: one on SQLite, or two (node-a and node-b) sharing one PostgreSQL
// database (a 2 s lease, a heartbeat every 300 ms, so that either may act), and the webhook receiver their channels
// post to.
import { type HttpReceiver, startHttpReceiver } from "../integration/tell/notify/receivers";
import { createTestApp, type TestApp } from "./app";
import { type PostgresService, startPostgres } from "./services";

export interface StoreStewards {
  /** node-a first; on PostgreSQL node-b second. */
  apps: TestApp[];
  rx: HttpReceiver;
  /** Stops the Stewards (the last started first), the receiver and PostgreSQL. */
  stop(): Promise<void>;
}

/** `yaml`: each Steward's config below its store, given the receiver's URL; `database`: PostgreSQL's database name. */
export async function startStoreStewards(backend: "sqlite" | "postgres", database: string, yaml: (rxUrl: string) => string): Promise<StoreStewards> {
  const rx = startHttpReceiver();
  const apps: TestApp[] = [];
  let pg: PostgresService | undefined;
  const stop = async () => {
    for (const t of [...apps].reverse()) await t.close().catch(() => {});
    await rx.stop();
    await pg?.stop();
  };
  try {
    let store = "";
    if (backend === "postgres") {
      pg = await startPostgres();
      store = `store:\n  postgres:\n    url: ${await pg.createDatabase(database)}\n    instanceName: NAME\n    leaseTtlMs: 2000\n    heartbeatIntervalMs: 300\n`;
    }
    for (const name of backend === "postgres" ? ["node-a", "node-b"] : ["node-a"]) {
      const t = createTestApp(`${store.replace("NAME", name)}${yaml(rx.url)}`);
      apps.push(t);
      await t.app.start();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { apps, rx, stop };
}
