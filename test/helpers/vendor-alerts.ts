// What PagerDuty and Opsgenie (or JSM) make of the requests they accept: alerts, keyed by the dedup key or alias. A
// trigger (create) of a key whose alert is open is deduplicated into that alert, not a new one; acknowledge and resolve
// (close) act on the open alert of their key and are dropped when there is none; a trigger after its alert was
// resolved opens a new alert; a note (Opsgenie's Add Note) goes on the open alert of its key, dropped without one.
// Without alert grouping (the products' default for a service) each new alert opens an incident of its own. The
// receivers keep this so a test counts alerts, as the on-call team sees them, not requests.

export type VendorAction = "trigger" | "acknowledge" | "resolve" | "note";

export interface VendorAlert {
  key: string;
  /** The incident the product opened for the alert (numbered from 1 in the order they opened). */
  incident: number;
  status: "triggered" | "acknowledged" | "resolved";
  /** Triggers of the key taken into this alert after the one that opened it. */
  deduplicated: number;
}

export interface VendorAlerts {
  /** Every alert the product opened, oldest first. */
  all: VendorAlert[];
  /** Acknowledges and resolves of a key with no open alert, which the product answers but drops. */
  dropped: Array<{ action: VendorAction; key: string }>;
  take(action: VendorAction, key: string): void;
}

export function vendorAlerts(): VendorAlerts {
  const all: VendorAlert[] = [];
  const dropped: VendorAlerts["dropped"] = [];
  const open = (key: string) => all.find((a) => a.key === key && a.status !== "resolved");
  return {
    all,
    dropped,
    take(action, key) {
      const alert = open(key);
      if (action === "trigger") {
        if (alert) alert.deduplicated++;
        else all.push({ key, incident: all.length + 1, status: "triggered", deduplicated: 0 });
      } else if (!alert) dropped.push({ action, key });
      else if (action === "note")
        return; // its text is in the receiver's accepted requests
      else if (action === "resolve") alert.status = "resolved";
      else alert.status = "acknowledged";
    },
  };
}
