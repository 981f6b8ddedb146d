// Public surface of the whitelisted file operations and their path guard.
export { createFileOps, type FileOps, type AllowedDirs, type TransferRequest } from "./file-ops";
export { normaliseRequestPath, isUnder, hostFlavour, type PathFlavour } from "./path-rules";
export { resolveInside, realRoots, type AllowedRoot, type ResolverFs } from "./path-resolve";
export { registerFileRoutes } from "./routes";
export { setupFiles, type FilesSetupDeps } from "./setup";
