// What a Qlik Automate run's `error` says: Qlik documents it as an array and types its elements unknown, so each
// element is read for a block and a message under the names a run may use, and one Steward cannot read is kept as
// it came; nothing in it is dropped in silence.

/** The block an error element names: a label or name, as a string or an object's field (inferred: Qlik types them unknown). */
function blockOf(o: Record<string, unknown>): string | undefined {
  for (const k of ["blockLabel", "blockName", "block", "step", "label"]) {
    const v = o[k];
    if (typeof v === "string" && v.trim() !== "") return v.trim();
    if (v && typeof v === "object") {
      const inner = v as Record<string, unknown>;
      const name = [inner.label, inner.name, inner.displayName].find((x): x is string => typeof x === "string" && x.trim() !== "");
      if (name) return name.trim();
    }
  }
  const id = o.blockId;
  return typeof id === "string" && id.trim() !== "" ? `block ${id.trim()}` : undefined;
}

/** One element as text: its message (or detail, title, error), else the element itself as JSON, so nothing is dropped. */
function elementText(e: unknown): { step?: string; text: string } | undefined {
  if (typeof e === "string") return e.trim() ? { text: e.trim() } : undefined;
  if (!e || typeof e !== "object") return e === null || e === undefined ? undefined : { text: String(e) };
  const o = e as Record<string, unknown>;
  // An element with nothing in it (Qlik's own example run has `"error": [{}]`) says nothing: not the text "{}".
  if (Object.values(o).every((v) => v === null || v === undefined || v === "")) return undefined;
  const message = ["message", "detail", "title", "error", "description"].map((k) => o[k]).find((v): v is string => typeof v === "string" && v.trim() !== "");
  const step = blockOf(o);
  return { ...(step ? { step } : {}), text: message?.trim() ?? JSON.stringify(o).slice(0, 500) };
}

/**
 * A run's `error` as text, and the step (block) it stopped at. Qlik documents `error` as an array (its elements'
 * fields are not documented): every element is read, each with its block when it names one, and the step is the last
 * block named (with "Stop" set, the block whose error ended the run). A string or one object is read too.
 */
export function runError(error: unknown): { error?: string; step?: string } {
  const items = (Array.isArray(error) ? error.slice(0, 50) : [error]).map(elementText).filter((x) => x !== undefined);
  if (items.length === 0) return {};
  const step = items.findLast((x) => x.step)?.step;
  const blocks = new Set(items.map((x) => x.step ?? ""));
  // One block (or none named): its messages; several: each message with its block.
  const text = items.map((x) => (blocks.size > 1 && x.step ? `${x.step}: ${x.text}` : x.text)).join("; ");
  const more = Array.isArray(error) && error.length > 50 ? ` (and ${error.length - 50} more)` : "";
  return { error: `${text}${more}`.slice(0, 2_000), ...(step ? { step: step.slice(0, 200) } : {}) };
}
