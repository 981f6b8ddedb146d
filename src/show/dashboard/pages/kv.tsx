/** @jsxImportSource hono/jsx */
// GET /ui/kv?ns=&key=: browse the key-value store — namespaces, the keys of one, the value of one key.
import { ApiProblem, Empty } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";

const MAX_KEYS_SHOWN = 1000;

export const kvPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const ns = c.req.query("ns");
  const key = c.req.query("key");
  const nav = { active: "kv", inbox: inbox() !== undefined, clock: siteClock() };
  const namespaces = await api<string[]>(c, "/v4/keyvaluesnamespaces");
  if (!namespaces.ok) {
    return c.html(
      <Layout title="Key-value store" nav={nav}>
        <ApiProblem status={namespaces.status} error={namespaces.error} what="The key-value store" />
      </Layout>,
    );
  }
  const enc = encodeURIComponent;
  const keys = ns ? await api<{ keys: Array<{ key: string }> }>(c, `/v4/keylist/${enc(ns)}`) : undefined;
  const value = ns && key ? await api<{ value: unknown }>(c, `/v4/keyvalues/${enc(ns)}?key=${enc(key)}`) : undefined;
  const names = [...namespaces.data].sort();
  return c.html(
    <Layout title="Key-value store" nav={nav}>
      <div class="kv">
        <section class="card">
          <h2>Namespaces</h2>
          {names.length === 0 ? (
            <Empty>No keys stored yet.</Empty>
          ) : (
            <ul id="kv-namespaces">
              {names.map((n) => (
                <li>
                  <a href={`/ui/kv?ns=${enc(n)}`} class={n === ns ? "active" : undefined}>
                    {n}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </section>
        <div>
          {ns === undefined ? (
            <section class="card">
              <Empty>Choose a namespace.</Empty>
            </section>
          ) : keys && !keys.ok ? (
            <ApiProblem status={keys.status} error={keys.error} what={`Namespace ${ns}`} />
          ) : (
            <section class="card">
              <h2>
                {ns} <span class="small muted">({keys?.ok ? keys.data.keys.length : 0} keys)</span>
              </h2>
              <table id="kv-keys">
                <tbody>
                  {(keys?.ok ? keys.data.keys : []).slice(0, MAX_KEYS_SHOWN).map(({ key: k }) => (
                    <tr>
                      <td class="mono">
                        <a href={`/ui/kv?ns=${enc(ns)}&key=${enc(k)}`}>{k}</a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          {value ? (
            <section class="card" id="kv-value">
              <h2>
                {ns} / <span class="mono">{key}</span>
              </h2>
              {value.ok ? (
                <pre>{typeof value.data.value === "string" ? value.data.value : JSON.stringify(value.data.value, null, 2)}</pre>
              ) : (
                <ApiProblem status={value.status} error={value.error} what="This key" />
              )}
            </section>
          ) : null}
        </div>
      </div>
    </Layout>,
  );
};
