// What the service answers a person's ask: a retry (new, joined, waiting for a second person, confirming another's)
// or the second person's confirmation by id; or why nothing was done, as a status and the field to name.
import type { RemediationAction } from "./action-store";

/** `awaiting`: recorded, waiting for a second person (two-person rule); `confirmed`: this ask confirmed another person's. */
export type RetryAnswer =
  | { ok: true; added: boolean; action: RemediationAction; awaiting?: boolean; confirmed?: { firstBy: string; already: boolean } }
  | { ok: false; status: 404 | 409 | 400 | 403; code: "NOT_FOUND" | "CONFLICT" | "INVALID_INPUT" | "FORBIDDEN"; field: string; message: string };

export type ConfirmAnswer =
  | { ok: true; actions: RemediationAction[]; firstBy: string; already: boolean }
  | { ok: false; status: 404 | 409 | 403; code: "NOT_FOUND" | "CONFLICT" | "FORBIDDEN"; message: string };
