/** @jsxImportSource hono/jsx */
// A task as people know it: its name, linked to its run history, with the id below (and on hover); the id alone
// when the name is not known (QRS did not answer, or the task is gone).
export function TaskName(props: { id: string; name?: string | undefined }) {
  if (!props.name) return <span class="mono">{props.id}</span>;
  return (
    <>
      <a href={`/ui/tasks/${encodeURIComponent(props.id)}`} title={props.id} data-task-name>
        {props.name}
      </a>
      <div class="mono muted">{props.id}</div>
    </>
  );
}
