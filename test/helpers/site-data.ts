// Reading an assistant's answer as the MCP server marks it (src/show/assistant/site-data.ts): a string the site or a
// network sender wrote stands as `{ "siteData": "…" }`; every other string is Steward's own.

const isMark = (v: unknown): v is { siteData: string } =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { siteData?: unknown }).siteData === "string";

/** The answer with each mark replaced by the text it holds: what the REST API answers for the same read. */
export function unmarkSiteData(value: unknown): unknown {
  if (isMark(value)) return value.siteData;
  if (Array.isArray(value)) return value.map(unmarkSiteData);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unmarkSiteData(v)]));
}

/** Every string of the answer that is not inside a mark, object keys included: what the assistant takes as Steward's. */
export function siteDataOutside(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) siteDataOutside(v, out);
  else if (typeof value === "object" && value !== null && !isMark(value)) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      siteDataOutside(v, out);
    }
  }
  return out;
}

/** The texts inside the marks. */
export function siteDataInside(value: unknown, out: string[] = []): string[] {
  if (isMark(value)) out.push(value.siteData);
  else if (Array.isArray(value)) for (const v of value) siteDataInside(v, out);
  else if (typeof value === "object" && value !== null) for (const v of Object.values(value)) siteDataInside(v, out);
  return out;
}
