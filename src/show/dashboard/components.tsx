/** @jsxImportSource hono/jsx */
// Small building blocks of the dashboard pages: status badges, times, empty and error states.
import type { Child } from "hono/jsx";

export type Tone = "ok" | "fail" | "warn" | "info" | "idle";

export function Badge(props: { tone: Tone; children?: Child }) {
  return <span class={`badge s-${props.tone}`}>{props.children}</span>;
}

export function Dot(props: { tone: Tone }) {
  return <span class={`dot s-${props.tone}`}></span>;
}

/** Outcome/status words → colour. */
export function toneOf(word: string | undefined | null): Tone {
  switch ((word ?? "").toLowerCase()) {
    case "succeeded":
    case "delivered":
    case "ok":
    case "started":
    case "service.started":
    case "task.succeeded":
    case "cloud.automation.enabled":
    case "cloud.automation.recovered":
    case "cloud.datatask.recovered":
      return "ok";
    case "failed":
    case "dead":
    case "denied":
    case "task.failed":
    case "service.stopped":
    case "cloud.automation.failed":
    case "cloud.datatask.failed":
      return "fail";
    case "aborted":
    case "task.aborted":
    case "cloud.automation.warning":
    case "cloud.automation.disabled":
    case "pending":
    case "sending":
    case "grouping":
      return "warn";
    case "suppressed":
    case "grouped":
    case "stopped":
      return "idle";
    default:
      return "info";
  }
}

export { Time } from "./page-clock";

export function Empty(props: { children?: Child }) {
  return <div class="empty">{props.children}</div>;
}

/** Why a section is blank: not configured (404), not allowed (401/403), or another API error. */
export function ApiProblem(props: { status: number; error: string; what: string }) {
  const text =
    props.status === 404
      ? `${props.what} is not available in this Steward (the feature is not configured).`
      : props.status === 401 || props.status === 403
        ? `You may not view ${props.what.toLowerCase()}: ${props.error}`
        : `Could not load ${props.what.toLowerCase()}: ${props.error}`;
  return <div class="notice">{text}</div>;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
