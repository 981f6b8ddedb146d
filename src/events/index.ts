// Public surface of events: the domain event contract.
export * from "./types";
