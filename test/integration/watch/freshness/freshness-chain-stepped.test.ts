// Issue 67's case on the Qlik Sense simulator with Steward on one stepped clock, on SQLite: Sales dashboard promised
// fresh by 07:00, its chain starting with a check-in; Wednesday as planned, Thursday's missed check-in, Friday's failed
// Transform (the nights and what each must say: test/helpers/freshness-chain-scenario.ts). The same nights on
// PostgreSQL are freshness-chain-stepped-postgres.test.ts, a file of their own so that the suite's workers run the two
// side by side (each is a few simulated days of CPU).
import { describe, test } from "bun:test";
import { freshnessChainScenario } from "../../../helpers/freshness-chain-scenario";

describe("fresh by 07:00, the chain starting with a check-in, on the simulator (stepped clock)", () => {
  test("SQLite", () => freshnessChainScenario("sqlite"), 300_000);
});
