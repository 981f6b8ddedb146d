// Public surface of engine: reloads outside the Scheduler, heard from the Qlik Sense Engine's reload lines.
export { createEngineReloads, type EngineReloads, type EngineReloadsDeps } from "./engine-reloads";
export { engineReloadsSchema, type EngineReloadsConfig } from "./config";
export { engineReloadMigrations, type EngineReloadStore, type HeardReload } from "./reload-store";
export { renderEngineAppenderXml } from "./engine-appender-xml";
export { checkEngineAppenderXml, renderAppenderCheck, type AppenderCheck } from "./appender-check";
export { registerEngineReloadRoutes, reloadView } from "./routes";
export { createLinesCheck, engineLinesFix, type IncompleteNode, type LinesCheck } from "./lines-check";
