// What a QRS entity collection offers the generic routes (list, /full, /count, /{id}, DELETE).
import type { FilterNode } from "../filter";
import type { Json, RenderOptions } from "../repo/render-common";

export interface Resource {
  /** Full entities, in a stable order. */
  full(opts: RenderOptions): Json[];
  condense(full: Json): Json;
  /** Lookup by id for `GET /{resource}/{id}`; defaults to searching `full`. */
  byId?(id: string, opts: RenderOptions): Json | undefined;
  /** `DELETE /{resource}/{id}`; absent = not deletable. */
  remove?(id: string): boolean;
  /**
   * The entities a filter can match, picked without rendering the rest (a superset: the filter still decides), or
   * undefined when the filter does not narrow them this way.
   */
  candidates?(filter: FilterNode, opts: RenderOptions): Json[] | undefined;
  /** How many there are, without rendering them (`GET /{resource}/count` with no filter). */
  count?(): number;
}

/** The condensed form: the listed keys of the full entity. */
export const pick =
  (keys: string[]) =>
  (full: Json): Json => {
    const out: Json = {};
    for (const k of keys) if (k in full) out[k] = full[k];
    return out;
  };
