// New Relic: the ingest client, Butler's /v4/newrelic routes and their set-up.
export { createNewRelicClient, newRelicUrl, type NewRelicClient } from "./client";
export { setupNewRelic } from "./setup";
