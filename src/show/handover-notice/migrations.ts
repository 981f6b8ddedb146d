// The store table of the rota's hand-off notices (issue 106): one row per schedule and shift start, claimed before its
// mail is sent, so the Stewards of one PostgreSQL send each notice once.
import type { MigrationSet } from "../../platform/store/database";

export const handoverNoticeMigrations: MigrationSet = {
  module: "handover-notices",
  migrations: [
    {
      version: 1,
      name: "one hand-off notice per schedule and shift",
      sql: `
        CREATE TABLE oncall_handover_notices (
          schedule TEXT NOT NULL,
          shift_start INTEGER NOT NULL,
          person TEXT NOT NULL,
          claimed_by TEXT NOT NULL,
          claimed_at INTEGER NOT NULL,
          sent_at INTEGER,
          PRIMARY KEY (schedule, shift_start)
        );
      `,
    },
  ],
};
