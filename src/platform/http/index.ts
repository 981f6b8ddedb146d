// Public surface of the HTTP layer.
export * from "./app";
export * from "./route";
export * from "./server";
export * from "./types";
