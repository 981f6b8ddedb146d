/** @jsxImportSource hono/jsx */
// The Noise page's "Rehearse a config" card (issue 105, docs/rehearse.md): paste or choose a new config file and a
// window; the dashboard's script sends it to POST /v4/config/rehearse (an admin's key) and shows, per route and
// channel, the pages now and with the new config, and the faults that would go unpaged. Nothing is written.

export function RehearseForm() {
  return (
    <section class="card tight" id="noise-rehearse">
      <h2>Rehearse a config</h2>
      <p class="small">
        Replays the recorded pages, incidents and acknowledgements of the window through a new config beside the one in force, before it goes live: per route
        and channel the pages that would go and those that would not, the automatic retries and re-runs, and the faults that would go unpaged. Nothing is
        written. Needs an admin's key; <code>steward config rehearse NEW.yaml</code> does the same on the server (and in CI).
      </p>
      <form id="rehearse-form">
        <p>
          <label for="rehearse-config">New config (YAML)</label>
          <br />
          <textarea
            id="rehearse-config"
            name="config"
            rows={10}
            cols={90}
            spellcheck={false}
            placeholder="Paste the whole new steward.yaml here, or choose its file below"
          />
        </p>
        <p>
          <label>
            Or its file <input id="rehearse-file" type="file" accept=".yaml,.yml,text/yaml" />
          </label>{" "}
          <label>
            Window{" "}
            <select id="rehearse-since" name="since">
              <option value="1w">last week</option>
              <option value="2w">last 2 weeks</option>
              <option value="4w" selected>
                last 4 weeks
              </option>
            </select>
          </label>{" "}
          <button type="button" data-action="rehearse">
            Rehearse
          </button>
        </p>
      </form>
      <div id="rehearse-result" aria-live="polite" />
    </section>
  );
}
