// An SVG badge in the shields style: a grey label and a coloured state with "data as of 06:12 CET", sized from the
// text (an approximate width per character is enough for a badge), every text escaped. The state in its words
// (fresh, at risk, late, not known yet), the same as everywhere.
import { FRESHNESS_WORDS } from "../../watch/freshness/states";
import type { StatusState } from "./app-status";

export const STATE_COLOUR: Record<StatusState, string> = { fresh: "#2e7d32", at_risk: "#b45309", late: "#b3261e", unknown: "#6b7280" };
const xml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const width = (s: string) => Math.round(s.length * 6.5 + 12);

export function badgeSvg(label: string, state: StatusState, asOf: string | undefined): string {
  const word = FRESHNESS_WORDS[state];
  const value = asOf ? `${word} · data as of ${asOf}` : word;
  const lw = width(label);
  const vw = width(value);
  const l = xml(label);
  const v = xml(value);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + vw}" height="20" role="img" aria-label="${l}: ${v}"><title>${l}: ${v}</title><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${STATE_COLOUR[state]}"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle"><text x="${lw / 2}" y="14">${l}</text><text x="${lw + vw / 2}" y="14" data-state="${state}">${v}</text></g></svg>`;
}
