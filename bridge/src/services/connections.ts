/**
 * The Zoho and Exchange connection settings: the non-secret part as a settings document, each secret sealed in the
 * secret store under a fixed name. Presenters turn them into the admin contract's shapes, where a secret is only
 * ever "set" / "not-set".
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { z } from "zod";
import {
  CredentialModeKind,
  EwsConnectionInput,
  type ExchangeConnection,
  type ExchangeConnectionInput,
  GraphConnectionInput,
  type ZohoConnection,
  ZohoDataCentre,
} from "../api/admin.js";
import type { AppCredential } from "../connectors/graph/index.js";
import type { Storage } from "../storage/index.js";

export const SECRET = {
  zohoClientSecret: "zoho.clientSecret",
  zohoRefreshToken: "zoho.refreshToken",
  exchangePassword: "exchange.password",
  graphClientSecret: "exchange.graphClientSecret",
  graphPrivateKey: "exchange.graphPrivateKey",
  userPassword: (userId: string) => `user:${userId}.password`,
} as const;

const ZOHO_KEY = "zoho-connection";
const EXCHANGE_KEY = "exchange-connection";
const CREDENTIAL_MODE_KEY = "credential-mode";

export const StoredZohoConnection = z.object({
  status: z.enum(["not-connected", "awaiting-consent", "connected", "failed"]),
  dataCentre: ZohoDataCentre.nullable(),
  clientId: z.string().nullable(),
  /** The accounts server the refresh token belongs to (multi-DC). */
  accountsUrl: z.string().nullable(),
  apiDomain: z.string().nullable(),
  organization: z.object({ id: z.string(), name: z.string() }).nullable(),
  connectedAs: z.object({ zohoUserId: z.string(), email: z.string() }).nullable(),
  authorizeUrl: z.string().nullable(),
  lastError: z.string().nullable(),
});
export type StoredZohoConnection = z.infer<typeof StoredZohoConnection>;

const storedEws = EwsConnectionInput.omit({ password: true }).extend({
  resolvedEwsUrl: z.string().nullable(),
  detectedVersion: z.string().nullable(),
});
const AppCertificate = z.object({
  /** SHA-1, hex upper case: what the Entra admin center lists under "Certificates & secrets". */
  thumbprint: z.string(),
  /** SHA-256, hex: how MSAL names the certificate in its client assertion (x5t#S256). */
  thumbprintSha256: z.string(),
  notAfter: z.string(),
});
export type AppCertificate = z.infer<typeof AppCertificate>;

const storedGraph = GraphConnectionInput.omit({ credential: true }).extend({
  credentialType: z.enum(["secret", "certificate"]).nullable(),
  certificate: AppCertificate.nullable(),
  credentialExpiresAt: z.string().nullable().optional(),
});
export const StoredExchangeConnection = z.discriminatedUnion("kind", [storedEws, storedGraph]);
export type StoredExchangeConnection = z.infer<typeof StoredExchangeConnection>;

const NOT_CONNECTED: StoredZohoConnection = {
  status: "not-connected",
  dataCentre: null,
  clientId: null,
  accountsUrl: null,
  apiDomain: null,
  organization: null,
  connectedAs: null,
  authorizeUrl: null,
  lastError: null,
};

export async function loadZohoConnection(storage: Storage): Promise<StoredZohoConnection> {
  return (await storage.settings.get(ZOHO_KEY, StoredZohoConnection)) ?? NOT_CONNECTED;
}

export async function saveZohoConnection(
  storage: Storage,
  connection: StoredZohoConnection,
  secrets: { clientSecret?: string; refreshToken?: string } = {},
): Promise<void> {
  if (secrets.clientSecret) await storage.secrets.put(SECRET.zohoClientSecret, secrets.clientSecret);
  if (secrets.refreshToken) await storage.secrets.put(SECRET.zohoRefreshToken, secrets.refreshToken);
  await storage.settings.put(ZOHO_KEY, connection);
}

export async function loadExchangeConnection(storage: Storage): Promise<StoredExchangeConnection | undefined> {
  return storage.settings.get(EXCHANGE_KEY, StoredExchangeConnection);
}

/**
 * Stores an admin's input: secrets sealed (an omitted secret keeps the stored one), the rest as a document.
 * `discoveredEwsUrl`: the EWS URL Autodiscover found for an Autodiscover connection.
 */
export async function saveExchangeConnection(
  storage: Storage,
  input: ExchangeConnectionInput,
  discoveredEwsUrl?: string,
): Promise<void> {
  if (input.kind === "ews") {
    const { password, ...rest } = input;
    if (password) await storage.secrets.put(SECRET.exchangePassword, password);
    const previous = await loadExchangeConnection(storage);
    const sameServer = previous?.kind === "ews" && JSON.stringify(previous.endpoint) === JSON.stringify(rest.endpoint);
    await storage.settings.put(EXCHANGE_KEY, {
      ...rest,
      resolvedEwsUrl:
        rest.endpoint.mode === "url"
          ? rest.endpoint.ewsUrl
          : (discoveredEwsUrl ?? (sameServer ? previous.resolvedEwsUrl : null)),
      detectedVersion: sameServer ? previous.detectedVersion : null,
    });
    return;
  }
  const { credential, ...rest } = input;
  const previous = await loadExchangeConnection(storage);
  let credentialType = previous?.kind === "graph" ? previous.credentialType : null;
  let certificate = previous?.kind === "graph" ? previous.certificate : null;
  let credentialExpiresAt = previous?.kind === "graph" ? (previous.credentialExpiresAt ?? null) : null;
  if (credential?.type === "secret") {
    await storage.secrets.put(SECRET.graphClientSecret, credential.clientSecret);
    credentialType = "secret";
    credentialExpiresAt = credential.expiresAt ?? null;
  } else if (credential?.type === "certificate") {
    certificate = appCertificate(credential.certificatePem, credential.privateKeyPem);
    await storage.secrets.put(SECRET.graphPrivateKey, credential.privateKeyPem);
    credentialType = "certificate";
  }
  await storage.settings.put(EXCHANGE_KEY, {
    ...rest,
    credentialType,
    certificate: credentialType === "certificate" ? certificate : null,
    credentialExpiresAt: credentialType === "certificate" ? (certificate?.notAfter ?? null) : credentialExpiresAt,
  });
}

/** The Graph app's stored credential as MSAL takes it; undefined when its secret or key is missing. */
export async function storedGraphCredential(
  storage: Storage,
  stored: Extract<StoredExchangeConnection, { kind: "graph" }> | undefined,
): Promise<AppCredential | undefined> {
  if (stored?.credentialType === "certificate") {
    const privateKey = await storage.secrets.get(SECRET.graphPrivateKey);
    if (!privateKey || !stored.certificate) return undefined;
    return { clientCertificate: { thumbprintSha256: stored.certificate.thumbprintSha256, privateKey } };
  }
  const clientSecret = await storage.secrets.get(SECRET.graphClientSecret);
  return clientSecret ? { clientSecret } : undefined;
}

/** The admin's certificate and key do not make a credential (unreadable, or the key is not the certificate's). */
export class InvalidAppCertificate extends Error {}

/** Reads an app certificate (PEM) and checks the private key belongs to it. */
export function appCertificate(certificatePem: string, privateKeyPem: string): AppCertificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new InvalidAppCertificate("the certificate is not a PEM X.509 certificate");
  }
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    throw new InvalidAppCertificate("the private key is not a PEM private key");
  }
  if (!matches) throw new InvalidAppCertificate("the private key does not belong to this certificate");
  return {
    thumbprint: certificate.fingerprint.replaceAll(":", ""),
    thumbprintSha256: certificate.fingerprint256.replaceAll(":", "").toLowerCase(),
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}

export async function loadCredentialMode(storage: Storage): Promise<z.infer<typeof CredentialModeKind>> {
  return (await storage.settings.get(CREDENTIAL_MODE_KEY, CredentialModeKind)) ?? "impersonation";
}

export async function saveCredentialMode(storage: Storage, mode: z.infer<typeof CredentialModeKind>): Promise<void> {
  await storage.settings.put(CREDENTIAL_MODE_KEY, mode);
}

async function secretState(storage: Storage, name: string): Promise<"set" | "not-set"> {
  return (await storage.secrets.has(name)) ? "set" : "not-set";
}

export async function presentZohoConnection(storage: Storage): Promise<ZohoConnection> {
  const { accountsUrl: _internal, ...stored } = await loadZohoConnection(storage);
  return {
    ...stored,
    clientSecret: await secretState(storage, SECRET.zohoClientSecret),
    refreshToken: await secretState(storage, SECRET.zohoRefreshToken),
  };
}

export async function presentExchangeConnection(storage: Storage): Promise<ExchangeConnection> {
  const stored = await loadExchangeConnection(storage);
  if (!stored) return { kind: "none" };
  if (stored.kind === "ews") {
    return {
      ...stored,
      username: stored.username ?? stored.emailAddress,
      domain: stored.domain ?? "",
      password: await secretState(storage, SECRET.exchangePassword),
    };
  }
  return {
    ...stored,
    clientSecret: await secretState(storage, SECRET.graphClientSecret),
    privateKey: await secretState(storage, SECRET.graphPrivateKey),
  };
}
