// A simulated Qlik Cloud reload and its outcomes: shared by the tenant and its scheduler, in a file of their own so
// neither imports the other for a type.
export type CloudReloadStatus = "QUEUED" | "RELOADING" | "CANCELING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "EXCEEDED_LIMIT";
export type CloudOutcome = "succeed" | "fail" | "cancel";
/** Why a failing reload fails: the data connection its script opens first (a LIB CONNECT line) and the error line. */
export interface CloudFailure {
  connection?: string;
  error: string;
}

export interface CloudReload {
  id: string;
  appId: string;
  tenantId: string;
  userId: string;
  type: "hub" | "chronos" | "external" | "automations";
  status: CloudReloadStatus;
  partial: boolean;
  creationTime: number;
  startTime?: number;
  endTime?: number;
  errorCode?: string;
  errorMessage?: string;
  log: string;
  /** What started it, as Qlik's resourceType and resourceId say: a Scheduling Task (`tasks`), an API caller (`api`). */
  resource?: { type: "api" | "reload-tasks" | "tasks" | "automate"; id: string };
}
