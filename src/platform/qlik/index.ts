// Public surface of qlik: the QRS client (REST, 4242) and filter builders. The Engine client adds its exports here.
export * from "./qrs-client";
export * from "./qrs-filter";
export * from "./qrs-schemas";
export * from "./qrs-certs";
export type { ScriptLogOptions, ScriptLogResult } from "./qrs-script-log";
export { newXrfKey, type QrsMethod, type QrsRequest, type QrsRawResponse } from "./qrs-transport";
export * from "./qrs-readiness";
export { createEngineClient, type EngineClient, type EngineClientDeps } from "./engine-client";
export { createEngineSession, EngineRpcError, type EngineSession, type EngineCallOptions, type EngineParams } from "./engine-session";
export * from "./engine-doc";
