// freshness-chain-stepped.test.ts's nights on PostgreSQL, with identical events (test/helpers/freshness-chain-scenario.ts):
// every statement is a round trip to another process during which simulated time stands still.
import { afterAll, describe, test } from "bun:test";
import { freshnessChainScenario, stopChainPostgres } from "../../../helpers/freshness-chain-scenario";

afterAll(stopChainPostgres);

describe("fresh by 07:00, the chain starting with a check-in, on the simulator (stepped clock)", () => {
  // 37–48 s on a quiet two-core machine, 645 s beside 8 busy processes and other jobs (load average 14): bounded far above both.
  test("PostgreSQL", () => freshnessChainScenario("postgres"), 1_800_000);
});
