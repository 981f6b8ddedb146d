// Public surface of the data checks: setup, the service (afterReload is the entry point for any reload source,
// holdBack the question follow-up tasks ask), the store's migrations, the evaluator (for `steward checks run`).
export { setupDataChecks, type DataChecksSetupDeps } from "./setup";
export { createDataChecks, type DataChecks, type DataChecksDeps, type RunHandle } from "./service";
export { checksMigrations, createCheckStore, type CheckStore, type RunRow, type StoredValue } from "./check-store";
export { reloadInputOf, runIdOf, type ReloadInput } from "./reload-input";
export { evaluateInApp, type AppEvaluation, type EngineAnswer } from "./evaluator";
export { parseExpectation } from "./expectation";
