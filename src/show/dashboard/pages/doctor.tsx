/** @jsxImportSource hono/jsx */
// GET /ui/doctor: the running Steward's doctor (GET /v4/doctor): each dependency tried now, pass or fail, and what
// to do. Not auto-refreshed: every look tries every server again.
import { ApiProblem, Badge } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";

interface DoctorView {
  ok: boolean;
  checks: Array<{ check: string; ok: boolean; detail: string; fix?: string }>;
}

export const doctorPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const r = await api<DoctorView>(c, "/v4/doctor");
  return c.html(
    <Layout title="Doctor" nav={{ active: "doctor", inbox: inbox() !== undefined, clock: siteClock() }}>
      {!r.ok ? <ApiProblem status={r.status} error={r.error} what="The doctor" /> : null}
      {r.ok ? (
        <section class="card" id="doctor">
          <h2>Doctor</h2>
          <p class="small">
            Every dependency the config names, tried just now by this Steward (reload the page to try again; <code>steward doctor</code> on the server prints
            the same). {r.data.ok ? "All checks passed." : `${r.data.checks.filter((l) => !l.ok).length} of ${r.data.checks.length} checks failed.`}
          </p>
          <table>
            <thead>
              <tr>
                <th>Result</th>
                <th>Check</th>
                <th>What was found</th>
              </tr>
            </thead>
            <tbody>
              {r.data.checks.map((l) => (
                <tr data-check={l.check}>
                  <td>{l.ok ? <Badge tone="ok">pass</Badge> : <Badge tone="fail">fail</Badge>}</td>
                  <td>{l.check}</td>
                  <td>
                    {l.detail}
                    {l.fix ? <div class="small">What to do: {l.fix}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </Layout>,
  );
};
