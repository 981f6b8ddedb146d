// What a module's store migrations are: shared by the SQLite store, the PostgreSQL migrator and the dialect
// translation, in a file of its own so none of them imports another for a type.
export interface Migration {
  /** 1, 2, 3 … per module, applied in order, never edited once released. */
  version: number;
  name: string;
  /** SQLite text; PostgreSQL gets it through migrationSql()'s substitutions unless `postgres` is given. */
  sql: string;
  /** The PostgreSQL text, where the substitutions are not enough. */
  postgres?: string;
}

export interface MigrationSet {
  /** A module's name (kv, outbox, scheduler …); versions are numbered per module. */
  module: string;
  migrations: Migration[];
}
