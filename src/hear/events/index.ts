// Public surface of events: the domain event contract.
export * from "./types";
export { dataCheckEvent, showCheckValue, type DataCheckEventInput } from "./data-check-event";
