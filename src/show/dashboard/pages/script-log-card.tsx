/** @jsxImportSource hono/jsx */
// A run's script log on its event page, as the alerts show it: the lines that state the failure first, then every
// line the event kept (head, the failure lines with their context, tail) in log order, with a marker for each gap.
import type { ScriptLogExcerpt } from "../../../platform/events/types";
import { keptScriptLog, logMessage } from "../../../hear/events/script-log-excerpt";

export function ScriptLogCard(props: { log: ScriptLogExcerpt }) {
  const shown = keptScriptLog(props.log);
  if (shown.shownLines === 0) return null;
  const lineCount = (n: number) => `${n} ${n === 1 ? "line" : "lines"}`;
  const more = shown.failureCount > shown.failures.length ? ` (of ${shown.failureCount})` : "";
  return (
    <section class="card" id="script-log">
      {shown.failures.length > 0 ? (
        <>
          <h2>
            What failed <span class="small muted">{`${lineCount(shown.failures.length)} of the script log${more}`}</span>
          </h2>
          <pre class="log-errors" data-role="error-lines">
            {shown.failures.map((f) => logMessage(f.text)).join("\n")}
          </pre>
        </>
      ) : null}
      <h2>
        Script log{" "}
        <span class="small muted">{`${lineCount(shown.totalLines)}; ${shown.shownLines} kept${shown.omittedLines ? `, ${shown.omittedLines} left out` : ""}`}</span>
      </h2>
      <pre data-role="script-log">
        {shown.parts.map((p, i) => (
          <>
            {i > 0 ? "\n" : ""}
            {p.kind === "line" ? p.failure ? <mark class="log-fail">{p.text}</mark> : p.text : <span class="muted">{p.text}</span>}
          </>
        ))}
      </pre>
    </section>
  );
}
