// When an action's outcome is told on its own (action-updates.ts): not before a message already on its way had its
// chance, and not after the incident's next message is the better place for it.
/** How long after its end an outcome waits for a message already on its way (its run's recovery, a failure's repeat). */
export const SETTLE_MS = 5_000;
/** How long an untold outcome is looked at: past this, the incident's next message tells it (as before updates). */
export const TELL_WITHIN_MS = 15 * 60_000;
