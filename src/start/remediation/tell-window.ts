// When an action's outcome is told on its own (action-updates.ts): not before a message already on its way had its
// chance, and not after the incident's next message is the better place for it.
/** How long after its end an outcome waits for a message already on its way (its run's recovery, a failure's repeat). */
export const SETTLE_MS = 5_000;
/** How long an untold outcome is looked at: past this, the incident's next message tells it (as before updates). */
export const TELL_WITHIN_MS = 15 * 60_000;
/**
 * An action whose run ended waits longer: its run's own end (a recovery or a failure) tells it once Qlik's final word
 * is heard and the notifier has built it, which on a slow QRS or a loaded store takes more than SETTLE_MS; an update
 * sent first would take the outcome from that message and go only where the cause's page went.
 */
export const RUN_SETTLE_MS = 2 * 60_000;
