// The rows a Steward adds to the site-wide dashboard feed, written together: the events published while an INSERT
// is on its way go in the next one (one multi-row statement, in publish order), instead of a statement and a commit
// per event. A batch the database refuses for a reason other than an outage (a value it will not take) is written
// row by row, so one bad event cannot keep the others off the feed. PostgreSQL only (json_to_recordset).
import { setImmediate } from "node:timers";
import { isStoreUnavailable, type SqlDb } from "../../platform/store/sql";

/** Most rows one INSERT carries. */
const MAX_ROWS = 200;

const ONE = "INSERT INTO dashboard_feed (seen_at, steward, writer, kind, payload) VALUES (?, ?, ?, ?, ?)";
// Rows travel as one JSON text parameter, so the statement is the same for any batch size (prepared once); the
// ordinal keeps the ids in publish order. The newest id comes back (the reader's polls start from it).
const MANY =
  "WITH rows AS (INSERT INTO dashboard_feed (seen_at, steward, writer, kind, payload) " +
  "SELECT n, ?, ?, k, p::text FROM json_to_recordset(?::text::json) AS r(i int, n bigint, k text, p json) ORDER BY i RETURNING id) " +
  "SELECT MAX(id) AS id FROM rows";

export interface FeedRow {
  seenAt: number;
  kind: string;
  payload: string;
}

/** Writes one row: resolves once it is committed (with an id at least its own), rejects when it could not be. */
export type FeedWriter = (row: FeedRow) => Promise<number>;

/** `writer`: the id in each row's writer column (cluster-feed.ts). */
export function createFeedWriter(db: SqlDb, steward: string, writer: string): FeedWriter {
  // SQLite (a feed on a store of its own, in tests): its seam already puts the writes of one turn in one commit; its
  // writes go through run(), so no id comes back (0: the reader then finds its own rows by their writer).
  if (db.dialect !== "postgres") return async (r) => (await db.run(ONE, [r.seenAt, steward, writer, r.kind, r.payload]), 0);
  const one = async (r: FeedRow) => Number((await db.get<{ id: number }>(`${ONE} RETURNING id`, [r.seenAt, steward, writer, r.kind, r.payload]))?.id ?? 0);
  const queue: Array<{ row: FeedRow; resolve: (id: number) => void; reject: (e: unknown) => void }> = [];
  let busy = false;
  async function flush(): Promise<void> {
    const batch = queue.splice(0, MAX_ROWS);
    if (batch.length === 0) {
      busy = false;
      return;
    }
    try {
      const id =
        batch.length === 1
          ? await one(batch[0]!.row)
          : // Each payload is JSON text already: it goes in as a JSON value (read back as the same text), not escaped again.
            Number(
              (
                await db.get<{ id: number }>(MANY, [
                  steward,
                  writer,
                  `[${batch.map((j, i) => `{"i":${i},"n":${j.row.seenAt},"k":${JSON.stringify(j.row.kind)},"p":${j.row.payload}}`).join(",")}]`,
                ])
              )?.id ?? 0,
            );
      for (const j of batch) j.resolve(id);
    } catch (err) {
      if (batch.length === 1 || isStoreUnavailable(err)) for (const j of batch) j.reject(err);
      else for (const j of batch) await one(j.row).then(j.resolve, j.reject);
    }
    void flush();
  }
  return (row) =>
    new Promise<number>((resolve, reject) => {
      queue.push({ row, resolve, reject });
      if (busy) return;
      busy = true;
      setImmediate(() => void flush());
    });
}
