// Public surface of events: the domain event contract.
export * from "../../platform/events/types";
export { dataCheckEvent, showCheckValue, type DataCheckEventInput } from "./data-check-event";
