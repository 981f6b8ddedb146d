// Builders for the QRS `filter=` language (qlik-protocols §2.4). Values are escaped here (quotes doubled);
// percent-encoding of the whole expression happens once, when the request URL is built (encodeQueryValue).
import { AppError } from "../core/errors";

/** A finished filter expression; only produced by the builders below, so raw user text cannot slip in. */
export interface QrsFilter {
  readonly expression: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const OPS = ["eq", "ne", "gt", "ge", "lt", "le", "sw", "ew", "so"] as const;
export type QrsFilterOp = (typeof OPS)[number];

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

function checkPath(path: string): string {
  if (!PATH.test(path)) throw new AppError("BAD_REQUEST", `not a QRS property path: ${JSON.stringify(path)}`);
  return path;
}

/** A quoted string literal with embedded single quotes doubled, as QRS expects. */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `path eq <guid>` (unquoted GUID); throws BAD_REQUEST for a value that is not a GUID. */
export function eq(path: string, guid: string): QrsFilter {
  if (!isGuid(guid)) throw new AppError("BAD_REQUEST", `not a GUID: ${JSON.stringify(guid)}`, { details: { path, value: guid } });
  return { expression: `${checkPath(path)} eq ${guid}` };
}

/** `path eq 'text'` with quotes doubled. */
export function eqString(path: string, value: string): QrsFilter {
  return compare(path, "eq", value);
}

/** Any comparison against a string (or ISO date) literal: `stopTime gt '2025-01-01T00:00:00.000Z'`. */
export function compare(path: string, op: QrsFilterOp, value: string | number | boolean): QrsFilter {
  if (!OPS.includes(op)) throw new AppError("BAD_REQUEST", `not a QRS filter operator: ${op}`);
  const literal = typeof value === "string" ? quoteString(value) : String(value);
  if (typeof value === "number" && !Number.isFinite(value)) throw new AppError("BAD_REQUEST", `not a finite number: ${value}`);
  return { expression: `${checkPath(path)} ${op} ${literal}` };
}

function join(word: "and" | "or", parts: QrsFilter[]): QrsFilter {
  if (parts.length === 0) throw new AppError("BAD_REQUEST", `${word}() needs at least one filter`);
  if (parts.length === 1) return parts[0]!;
  return { expression: parts.map((p) => `(${p.expression})`).join(` ${word} `) };
}

export const and = (...parts: QrsFilter[]): QrsFilter => join("and", parts);
export const or = (...parts: QrsFilter[]): QrsFilter => join("or", parts);

/** Convenience namespace: `qrsFilter.eq("id", guid)`, `qrsFilter.and(...)`. */
export const qrsFilter = { eq, eqString, compare, and, or, quoteString, isGuid };

/**
 * Percent-encodes a query value strictly (RFC 3986 unreserved characters only), so `'`, `(`, `)`, `&`, `#`, `+`
 * and spaces never reach QRS raw (a raw `&` gives 400, a raw `#` truncates the URL).
 */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
