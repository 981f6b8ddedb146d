// One poll's read of a tenant's reload list: newest first, page by page, down to the cutoff (where the last poll
// began, less an overlap), bounded by maxPages and by a tenant that repeats its next link. Finished reloads are
// collected; running ones are noted in the store to be asked about again.
import type { Logger } from "pino";
import type { QlikCloudTenantConfig } from "./config";
import { type CloudClient, type CloudReload, CloudReloadSchema } from "./cloud-client";
import type { CloudStore } from "./cloud-store";
import { FINAL, IN_PROGRESS } from "./reload-event";

/** A time from the API as epoch ms; undefined when missing or unreadable. */
export const ms = (s: string | null | undefined) => {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
};

type RawTimes = { creationTime?: unknown; endTime?: unknown } | null | undefined;
/** When a list entry was created (its end when it has no creation time), read as its check would; NaN when unknown. */
function createdOf(raw: RawTimes): number {
  if (!raw || typeof raw !== "object") return Number.NaN;
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  return ms(text(raw.creationTime)) ?? ms(text(raw.endTime)) ?? Number.NaN;
}

export interface ReloadPagesDeps {
  name: string;
  tenant: Pick<QlikCloudTenantConfig, "maxPages">;
  client: CloudClient;
  store: CloudStore;
  log: Logger;
}

export interface PagesRead {
  /** Finished reloads by id. */
  finals: Map<string, CloudReload>;
  /** Every reload id the pages showed (above the cutoff). */
  seen: Set<string>;
}

export interface ReloadPages {
  /** Reads the pages down to `cutoff`; finished reloads that ended before `floor` are left out. */
  read(now: number, cutoff: number, floor: number): Promise<PagesRead>;
}

export function createReloadPages(d: ReloadPagesDeps): ReloadPages {
  const { name, tenant, client, store, log } = d;
  const unknownStatus = new Set<string>();
  let warnedPagesAt = 0;

  function readReload(raw: unknown): CloudReload | undefined {
    const r = CloudReloadSchema.safeParse(raw);
    if (!r.success) {
      log.warn({ tenant: name, issue: r.error.issues[0]?.message }, "Qlik Cloud: a reload entry Steward cannot read was skipped");
      return undefined;
    }
    const known = FINAL[r.data.status] !== undefined || IN_PROGRESS.has(r.data.status);
    if (!known) {
      if (unknownStatus.size < 1_000 && !unknownStatus.has(r.data.id)) {
        unknownStatus.add(r.data.id);
        log.warn(
          { tenant: name, reloadId: r.data.id, status: r.data.status },
          "Qlik Cloud: a reload has a status Steward does not know; it is asked about again until it ends",
        );
      }
    }
    return r.data;
  }

  async function read(now: number, cutoff: number, floor: number): Promise<PagesRead> {
    const finals = new Map<string, CloudReload>();
    const seen = new Set<string>();
    let url: string | undefined;
    let previousNext: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await client.listReloads(url);
      pages++;
      let older = false;
      for (const raw of page.reloads) {
        // An entry from before the cutoff ends the read before its check: a page is 100 entries, nearly all of them
        // read by an earlier poll, and one that cannot be read was warned about then, not again at every poll.
        if (createdOf(raw as RawTimes) < cutoff) {
          older = true;
          continue;
        }
        const r = readReload(raw);
        if (!r) continue;
        const created = ms(r.creationTime) ?? ms(r.endTime);
        if (created !== undefined && created < cutoff) {
          older = true;
          continue;
        }
        if (FINAL[r.status] && (ms(r.endTime) ?? now) < floor) continue;
        seen.add(r.id);
        if (FINAL[r.status]) finals.set(r.id, r);
        else await store.noteRunning(name, r.id, r.appId, r.status, now);
      }
      if (older || !page.next) break;
      if (page.next === previousNext) {
        log.warn({ tenant: name }, "Qlik Cloud: the tenant gave the same next page twice; stopped reading this poll");
        break;
      }
      if (pages >= tenant.maxPages) {
        if (now - warnedPagesAt > 10 * 60_000) {
          warnedPagesAt = now;
          log.warn({ tenant: name, pages }, "Qlik Cloud: stopped after maxPages pages of reloads this poll; the rest are read next poll");
        }
        break;
      }
      previousNext = page.next;
      url = page.next;
    }
    return { finals, seen };
  }

  return { read };
}
