// Issue 102: fresh means the data came through: the held-back night on SQLite (test/helpers/held-back-chain-scenario.ts
// says what it runs and asserts; freshness-data-through-postgres.test.ts runs it on PostgreSQL).
import { expect, test } from "bun:test";
import { heldBackScenario } from "../../../helpers/held-back-chain-scenario";

test("a dashboard reloaded after its chain's head failed is not fresh: one late mail, /status never up to date, fresh again cites the reload after the re-run (SQLite)", async () => {
  await expect(heldBackScenario("sqlite")).resolves.toBeUndefined();
}, 300_000);
