// A directory that forges: it publishes a real discovery document and signing key (made with jose), and its token
// endpoint answers with whatever ID token the test crafted (a wrong issuer, audience or nonce, a foreign signature,
// an expired one). What a stolen code, a rogue directory or a replayed token would hand Steward's callback.
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { freeTcpPort } from "./free-port";

type Key = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

export interface ForgedDirectory {
  issuer: string;
  /** The published signing key, and one the directory never published. */
  key: Key;
  foreignKey: Key;
  /** What the token endpoint answers next: an ID token signed with `signWith` (the published key by default). */
  answerWith(claims: JWTPayload, signWith?: Key): Promise<void>;
  stop(): Promise<void>;
}

export async function startForgedDirectory(clientId: string): Promise<ForgedDirectory> {
  const port = await freeTcpPort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey: key, publicKey } = await generateKeyPair("RS256");
  const { privateKey: foreignKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "published", alg: "RS256", use: "sig" };
  let idToken = "";
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/.well-known/openid-configuration")
        return Response.json({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
        });
      if (path === "/jwks") return Response.json({ keys: [jwk] });
      if (path === "/token" && req.method === "POST")
        return Response.json({ access_token: "at", token_type: "Bearer", expires_in: 300, id_token: idToken }, { headers: { "Cache-Control": "no-store" } });
      return new Response("not found", { status: 404 });
    },
  });
  return {
    issuer,
    key,
    foreignKey,
    async answerWith(claims, signWith = key) {
      const now = Math.floor(Date.now() / 1000);
      idToken = await new SignJWT({ iss: issuer, aud: clientId, sub: "mallory", iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: "RS256", kid: "published" })
        .sign(signWith);
    },
    stop: async () => {
      await server.stop(true);
    },
  };
}
