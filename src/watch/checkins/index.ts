// Check-ins of the jobs before Qlik: a Healthchecks-compatible ping API and a judge of schedules (docs/checkins.md).
export { setupCheckins, type Checkins } from "./setup";
export { checkinMigrations } from "./checkin-store";
export { checkinEvent } from "./checkin-event";
