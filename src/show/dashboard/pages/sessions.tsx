/** @jsxImportSource hono/jsx */
// GET /ui/sessions: the people signed in with the company directory (GET /v4/sso/sessions, scope admin): who, since,
// last seen, when the session ends and the client it signed in from; each row ends that session, and a person's
// "Sign out everywhere" ends all of theirs (DELETE through the REST API with the viewer's credentials).
import { ApiProblem, Empty, Time } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";

interface SessionView {
  id: string;
  subject: string;
  name: string;
  email: string;
  scopes: string[];
  since: string;
  lastSeen: string;
  endsAt: string;
  client: { ip?: string; userAgent?: string };
}

const who = (s: SessionView) => `${s.name || s.email || s.subject}${s.name && s.email ? ` <${s.email}>` : ""}`;

export const sessionsPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const res = await api<{ sessions: SessionView[] }>(c, "/v4/sso/sessions");
  return c.html(
    <Layout title="Sessions" nav={{ active: "sessions", inbox: inbox() !== undefined, clock: siteClock() }}>
      <section class="card tight">
        <p class="small muted">
          People signed in with the company directory, on every Steward of the cluster. Ending a session signs that browser out at its next request; the person
          can sign in again while the directory lets them (docs/single-sign-on.md).
        </p>
        {!res.ok ? (
          <ApiProblem status={res.status} error={res.error} what="Single sign-on's sessions" />
        ) : res.data.sessions.length === 0 ? (
          <Empty>Nobody is signed in with the directory.</Empty>
        ) : (
          <table id="sessions">
            <thead>
              <tr>
                <th>Who</th>
                <th>Scopes</th>
                <th>Since</th>
                <th>Last seen</th>
                <th>Ends</th>
                <th>Client</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {res.data.sessions.map((s) => (
                <tr data-session={s.id} data-subject={s.subject}>
                  <td class="small">
                    <b>{who(s)}</b>
                    <div class="mono muted">sso:{s.subject}</div>
                  </td>
                  <td class="small">{s.scopes.join(", ")}</td>
                  <td>
                    <Time iso={s.since} />
                  </td>
                  <td>
                    <Time iso={s.lastSeen} />
                  </td>
                  <td>
                    <Time iso={s.endsAt} />
                  </td>
                  <td class="small">
                    {s.client.ip ?? ""}
                    <div class="muted">{(s.client.userAgent ?? "").slice(0, 80)}</div>
                  </td>
                  <td>
                    <button type="button" data-action="end-session" data-id={s.id} data-name={who(s)}>
                      End this session
                    </button>{" "}
                    <button type="button" data-action="sign-out-everywhere" data-id={s.subject} data-name={who(s)}>
                      Sign out everywhere
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>,
  );
};
