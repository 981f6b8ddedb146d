// Modules Steward starts as worker threads (src/platform/store/wal-checkpointer.ts): loaded by URL at run time, so each
// compiled build (scripts/build.ts, scripts/build-deno.ts) names them beside the entry point.
export const STEWARD_WORKERS = ["src/platform/store/wal-checkpoint-worker.ts"];
