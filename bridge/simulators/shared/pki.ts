/**
 * Throw-away local PKI for the simulators: one CA and one server certificate for localhost, 127.0.0.1 and ::1.
 *
 * The Graph client and MSAL refuse plain-http authorities, so every simulator serves HTTPS. The CA is trusted by
 * the bridge's process through NODE_EXTRA_CA_CERTS (set by the test global setup and by the sandbox launcher,
 * never by production configuration). Files are cached in one directory so that processes started later (workers,
 * the sandbox) trust the same CA.
 */
import { webcrypto } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata polyfill.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

export interface TestPki {
  /** PEM of the CA certificate: what clients must trust. */
  caCertPem: string;
  /** Path of the CA certificate file, suitable for NODE_EXTRA_CA_CERTS. */
  caCertFile: string;
  /** PEM of the server certificate chain (leaf only; the CA is trusted directly). */
  certPem: string;
  /** PEM (PKCS#8) of the server certificate's private key. */
  keyPem: string;
}

const CA_CERT = "ca.pem";
const SERVER_CERT = "server.pem";
const SERVER_KEY = "server-key.pem";
const DAY_MS = 86_400_000;

type CryptoKey = webcrypto.CryptoKey;

/** Loads the PKI cached in `dir`, or creates it. Certificates close to expiry are replaced. */
export async function ensureTestPki(dir: string): Promise<TestPki> {
  const cached = readCached(dir);
  if (cached) return cached;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created = await createPki();
  // Write under temporary names and rename, so that two processes racing here never read half a file.
  for (const [name, pem] of [
    [CA_CERT, created.caCertPem],
    [SERVER_CERT, created.certPem],
    [SERVER_KEY, created.keyPem],
  ] as const) {
    const tmp = join(dir, `${name}.${process.pid}.tmp`);
    writeFileSync(tmp, pem, { mode: 0o600 });
    renameSync(tmp, join(dir, name));
  }
  return { ...created, caCertFile: join(dir, CA_CERT) };
}

function readCached(dir: string): TestPki | undefined {
  const paths = [CA_CERT, SERVER_CERT, SERVER_KEY].map((name) => join(dir, name));
  if (!paths.every((path) => existsSync(path))) return undefined;
  const [caCertPem, certPem, keyPem] = paths.map((path) => readFileSync(path, "utf8")) as [string, string, string];
  const leaf = new x509.X509Certificate(certPem);
  if (leaf.notAfter.getTime() - Date.now() < DAY_MS) return undefined;
  return { caCertPem, caCertFile: paths[0] as string, certPem, keyPem };
}

async function createPki(): Promise<Omit<TestPki, "caCertFile">> {
  const algorithm = {
    name: "ECDSA",
    namedCurve: "P-256",
    hash: "SHA-256",
  } as const;
  const now = Date.now();
  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: "CN=Exchange Zoho Bridge local test CA",
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey as CryptoKey),
    ],
  });
  const serverKeys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const serverCert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: "CN=localhost",
    issuer: caCert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 180 * DAY_MS),
    signingKey: caKeys.privateKey as CryptoKey,
    publicKey: serverKeys.publicKey as CryptoKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
        { type: "ip", value: "::1" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", serverKeys.privateKey as CryptoKey);
  return {
    caCertPem: caCert.toString("pem"),
    certPem: serverCert.toString("pem"),
    keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
  };
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] as number) & 0x7f; // a positive INTEGER
  return Buffer.from(bytes).toString("hex");
}
