// What QRS says about the app a reload outside the Scheduler was of: its name, stream, whether it is published, its
// owner (with e-mail, for recipients), and its lastReloadTime (which confirms a successful reload really happened).
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { TaskEvent } from "../../platform/events/types";
import { AppError } from "../../platform/core/errors";
import { appPart, withOwner } from "../events/enrich-mappers";

export type AppRead = { ok: true; app: NonNullable<TaskEvent["app"]>; lastReloadMs?: number } | { ok: false; notFound: boolean; reason: string };

const NEVER = "1753";

/** The app with its owner's e-mail; `notFound` when QRS answered that there is no such app (a forged or deleted one). */
export async function readApp(qrs: QrsClient, appId: string, timeoutMs: number): Promise<AppRead> {
  const o = { timeoutMs, retries: 1 };
  let a: Awaited<ReturnType<QrsClient["getAppFull"]>>;
  try {
    a = await qrs.getAppFull(appId, o);
  } catch (err) {
    const notFound = err instanceof AppError && err.code === "NOT_FOUND";
    return { ok: false, notFound, reason: notFound ? "QRS has no such app" : `QRS: ${(err as Error).message}` };
  }
  const app = appPart(a);
  if (a.owner?.id) {
    try {
      app.owner = withOwner(app.owner, await qrs.getUser(a.owner.id, o));
    } catch {
      // The owner's name is on the app already; only the e-mail is missing, for recipients that use it.
    }
  }
  const last = a.lastReloadTime && !a.lastReloadTime.startsWith(NEVER) ? Date.parse(a.lastReloadTime) : Number.NaN;
  return { ok: true, app, ...(Number.isFinite(last) ? { lastReloadMs: last } : {}) };
}
