// A real, certified OpenID Provider (the oidc-provider package) on loopback, standing in for the company directory:
// people with a name, a mail address and groups (in the "groups" claim of the ID token), Steward registered as a
// confidential client, and a way to sign in through its own login and consent pages without a browser (signIn).
// Its memory adapter and development keys are fine here: nothing outlives the test.
import Provider from "oidc-provider";
import { freeTcpPort } from "./free-port";

export interface DirectoryPerson {
  name: string;
  email: string;
  groups: string[];
}

export interface OidcDirectoryOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  people: Record<string, DirectoryPerson>;
  /** Seconds an access token lasts (a session's refresh is due then); default 3600. */
  accessTokenTtl?: number;
  postLogoutRedirectUris?: string[];
  /** Steward's back-channel logout address: the directory posts a logout token there when a person signs out at it. */
  backchannelLogoutUri?: string;
}

export interface OidcDirectory {
  issuer: string;
  provider: Provider;
  /**
   * Follows Steward's redirect to the directory, signs in as `login` on its login page and gives consent: the URL of
   * Steward's callback the directory sends the browser to (not fetched).
   */
  signIn(authorizationUrl: string, login: string): Promise<string>;
  /**
   * Signs `login` out at the directory itself (its own sign-out page and question), in the cookie jar of their last
   * signIn: with backchannelLogoutUri, the directory posts its logout token to Steward before it answers.
   */
  signOutAtDirectory(login: string): Promise<void>;
  stop(): Promise<void>;
}

/** A cookie jar for one browser at the directory (its cookies name their own paths; one site, so all are sent). */
function cookieJar() {
  const jar = new Map<string, string>();
  return {
    take(res: Response) {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const eq = pair!.indexOf("=");
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
    },
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
  };
}

export async function startOidcDirectory(o: OidcDirectoryOptions): Promise<OidcDirectory> {
  const port = await freeTcpPort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        redirect_uris: o.redirectUris,
        post_logout_redirect_uris: o.postLogoutRedirectUris ?? [],
        ...(o.backchannelLogoutUri ? { backchannel_logout_uri: o.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
    ],
    findAccount: async (_ctx: unknown, id: string) => {
      const p = o.people[id];
      return p ? { accountId: id, claims: async () => ({ sub: id, name: p.name, email: p.email, groups: p.groups }) } : undefined;
    },
    claims: { openid: ["sub"], profile: ["name"], email: ["email"], groups: ["groups"] },
    scopes: ["openid", "offline_access", "profile", "email", "groups"],
    // The claims of the scopes asked for go into the ID token itself, as Entra ID and Okta put a groups claim there.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      ...(o.backchannelLogoutUri ? { backchannelLogout: { enabled: true } } : {}),
    },
    ttl: { AccessToken: o.accessTokenTtl ?? 3600, IdToken: 3600, Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, RefreshToken: 86_400 },
    // A refresh token at every sign-in, as Entra ID, Okta and Keycloak give one for offline_access without asking
    // for consent again (this library otherwise drops offline_access unless prompt=consent was sent).
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed("refresh_token"),
  });
  // The library prints warnings about its development defaults (memory adapter, keys, interactions): all intended here.
  provider.on("server_error", () => undefined);
  const server = provider.listen(port);

  const jars = new Map<string, ReturnType<typeof cookieJar>>();

  async function signIn(authorizationUrl: string, login: string): Promise<string> {
    const jar = cookieJar();
    jars.set(login, jar);
    let url = authorizationUrl;
    let form: Record<string, string> | undefined;
    for (let hop = 0; hop < 12; hop++) {
      const res = await fetch(url, {
        method: form ? "POST" : "GET",
        redirect: "manual",
        headers: { cookie: jar.header(), ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
      });
      jar.take(res);
      form = undefined;
      const location = res.headers.get("location");
      if (location) {
        const next = new URL(location, url).href;
        if (!next.startsWith(issuer)) return next;
        url = next;
        continue;
      }
      const page = await res.text();
      if (res.status !== 200) throw new Error(`the directory answered ${res.status}: ${page.slice(0, 300)}`);
      // Its login page, then its consent page: both post back to the interaction's own URL.
      form = page.includes('name="login"') ? { prompt: "login", login, password: "any" } : { prompt: "consent" };
    }
    throw new Error("the directory never sent the browser back to Steward");
  }

  async function signOutAtDirectory(login: string): Promise<void> {
    const jar = jars.get(login);
    if (!jar) throw new Error(`${login} never signed in at the directory`);
    const asked = await fetch(`${issuer}/session/end`, { headers: { cookie: jar.header() } });
    jar.take(asked);
    const page = await asked.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
    if (!action || !xsrf) throw new Error(`the directory's sign-out page has no form: ${page.slice(0, 300)}`);
    const done = await fetch(new URL(action, issuer), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ xsrf, logout: "yes" }).toString(),
    });
    if (done.status >= 400) throw new Error(`the directory's sign-out answered ${done.status}: ${(await done.text()).slice(0, 300)}`);
  }

  return {
    issuer,
    provider,
    signIn,
    signOutAtDirectory,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
