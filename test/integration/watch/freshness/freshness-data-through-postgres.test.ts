// Issue 102: fresh means the data came through: the held-back night on PostgreSQL (test/helpers/held-back-chain-scenario.ts
// says what it runs and asserts): the judge's verdicts, read by /status, go through the shared store.
import { afterAll, expect, test } from "bun:test";
import { heldBackScenario, stopHeldBackPostgres } from "../../../helpers/held-back-chain-scenario";

afterAll(stopHeldBackPostgres);

test("a dashboard reloaded after its chain's head failed is not fresh: one late mail, /status never up to date, fresh again cites the reload after the re-run (PostgreSQL)", async () => {
  await expect(heldBackScenario("postgres")).resolves.toBeUndefined();
}, 600_000);
