// Help text of `steward alert` (kept apart from the command so usage.ts can list it without a cycle).
export const ALERT_HELP = `Usage: steward alert preview [--config FILE] [event options] [--json]
       steward alert test --channel NAME [--config FILE] [event options]

preview  Shows which routes match the event, who would receive what (and why some would not), and the
         rendered messages. Nothing is sent. Rate limits and earlier deliveries are not checked (no store).
test     Sends one test alert through channel NAME right now (not through the outbox) and reports the result.
         Test mode applies: with notify.testMode on it goes to the test address or the channel's testTarget.

Event options (default: a synthetic failed reload task):
  --kind KIND          task.failed|task.succeeded|task.aborted|service.stopped|service.started
  --task-type TYPE     reload|externalProgram|userSync|distribute|preload
  --task-id ID         With qlik: configured, the real task is read from QRS
  --task-name NAME     --app-name NAME
  --event FILE         A full event as JSON (as on the bus)`;
