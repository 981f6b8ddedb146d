// Builds a CA, a server certificate and a client certificate in pure TypeScript (no openssl binary).
// RSA keys come from node:crypto (fast, native); node-forge builds and signs the X.509 certificates.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

export interface CertSet {
  /** The CA certificate (QMC export: root.pem). */
  ca: string;
  /** Server certificate and key (server.pem, server_key.pem). */
  serverCert: string;
  serverKey: string;
  /** Client certificate and key (client.pem, client_key.pem). */
  clientCert: string;
  clientKey: string;
}

export interface GenerateOptions {
  /** Extra DNS names for the server certificate, besides localhost. */
  hostNames?: string[];
  /** Validity in days (default 10 years). */
  days?: number;
  now?: Date;
}

interface KeyPair {
  privateKey: string;
  publicKey: string;
}

function rsaKeyPair(): KeyPair {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    // PKCS#1 "RSA PRIVATE KEY", like the QMC export.
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
}

/** A positive serial number (leading byte < 0x80 keeps the DER integer positive). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString("hex");
}

function buildCert(opts: {
  publicKey: string;
  subject: forge.pki.CertificateField[];
  issuer: forge.pki.CertificateField[];
  signingKey: string;
  extensions: object[];
  now: Date;
  days: number;
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.publicKey);
  cert.serialNumber = serial();
  // Back-date a day so a client with a slightly slow clock accepts it.
  cert.validity.notBefore = new Date(opts.now.getTime() - 86_400_000);
  cert.validity.notAfter = new Date(opts.now.getTime() + opts.days * 86_400_000);
  cert.setSubject(opts.subject);
  cert.setIssuer(opts.issuer);
  cert.setExtensions(opts.extensions);
  cert.sign(forge.pki.privateKeyFromPem(opts.signingKey), forge.md.sha256.create());
  return cert;
}

export function generateCertSet(options: GenerateOptions = {}): CertSet {
  const now = options.now ?? new Date();
  const days = options.days ?? 3650;
  const hostNames = [...new Set(["localhost", ...(options.hostNames ?? [])])];

  const caKeys = rsaKeyPair();
  const caSubject = [
    { name: "commonName", value: "Steward simulator CA" },
    { name: "organizationName", value: "Steward Qlik Sense simulator" },
  ];
  const caCert = buildCert({
    publicKey: caKeys.publicKey,
    subject: caSubject,
    issuer: caSubject,
    signingKey: caKeys.privateKey,
    now,
    days,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      { name: "subjectKeyIdentifier" },
    ],
  });

  const serverKeys = rsaKeyPair();
  const serverCert = buildCert({
    publicKey: serverKeys.publicKey,
    subject: [{ name: "commonName", value: hostNames[0] ?? "localhost" }],
    issuer: caSubject,
    signingKey: caKeys.privateKey,
    now,
    days,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [...hostNames.map((h) => ({ type: 2, value: h })), { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }],
      },
    ],
  });

  const clientKeys = rsaKeyPair();
  const clientCert = buildCert({
    publicKey: clientKeys.publicKey,
    // Qlik's exported client certificate is issued to "QlikClient".
    subject: [{ name: "commonName", value: "QlikClient" }],
    issuer: caSubject,
    signingKey: caKeys.privateKey,
    now,
    days,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", clientAuth: true },
    ],
  });

  const pem = (c: forge.pki.Certificate) => forge.pki.certificateToPem(c);
  return {
    ca: pem(caCert),
    serverCert: pem(serverCert),
    serverKey: serverKeys.privateKey,
    clientCert: pem(clientCert),
    clientKey: clientKeys.privateKey,
  };
}
