/**
 * On-prem add-in identity: the authentication metadata document (`/autodiscover/metadata/json/1`) and Exchange
 * user identity tokens (`getUserIdentityTokenAsync`), so the bridge validates on-prem add-in tokens for real.
 *
 * Token format per docs "Inside the Exchange identity token": RS256 JWT, header `x5t` = thumbprint of the
 * signing certificate published in the metadata document; payload aud (add-in URL), iss/appctxsender
 * `00000002-0000-0ff1-ce00-000000000000@<host>`, nbf/exp, isbrowserhostedapp, and `appctx` — a JSON *string*
 * (as Exchange sends it; the docs' validation sample JSON.parses it) with msexchuid, version ExIdTok.V1 and amurl.
 * Exchange callback tokens (`getCallbackTokenAsync`, Mailbox 1.1) are signed with the same server auth certificate and
 * addressed to Exchange itself (`aud` = `00000002-…/<host>@<realm>`); their `appctx` JSON string carries the user's
 * `smtp` and the item `scope`, as recorded on-prem (office-js issues #3821 and #4115, where add-ins read
 * appctx.upn/appctx.smtp). Microsoft calls the format opaque and changed it in Exchange Online in 2024
 * (devblogs "Update to Exchange callback tokens for Outlook add-ins"), so validators must fail closed on other shapes.
 * The key pair and self-signed certificate are created once per simulator.
 */
import { createHash, webcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { SignJWT } from "jose";

type CryptoKey = webcrypto.CryptoKey;

const EXCHANGE_PRINCIPAL = "00000002-0000-0ff1-ce00-000000000000";
const ALGORITHM = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

interface SigningMaterial {
  privateKey: CryptoKey;
  certificateDer: Buffer;
  x5t: string;
}

export class IdentityIssuer {
  private material: Promise<SigningMaterial> | undefined;

  constructor(private readonly host: () => string) {}

  private signing(): Promise<SigningMaterial> {
    this.material ??= (async () => {
      const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
      const certificate = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: "01",
        name: `CN=Microsoft Exchange Server Auth Certificate`,
        notBefore: new Date(Date.now() - 86_400_000),
        notAfter: new Date(Date.now() + 5 * 365 * 86_400_000),
        keys,
        signingAlgorithm: ALGORITHM,
      });
      const der = Buffer.from(certificate.rawData);
      return {
        privateKey: keys.privateKey as CryptoKey,
        certificateDer: der,
        x5t: createHash("sha1").update(der).digest("base64url"),
      };
    })();
    return this.material;
  }

  metadataUrl(): string {
    const url = new URL(this.host());
    return `https://${url.hostname}:${url.port || "443"}/autodiscover/metadata/json/1`;
  }

  async metadataDocument(): Promise<Record<string, unknown>> {
    const { certificateDer, x5t } = await this.signing();
    const realm = new URL(this.host()).hostname;
    return {
      id: `_${createHash("sha1").update(x5t).digest("hex").slice(0, 32)}`,
      version: "1.0",
      name: "Exchange",
      realm,
      serviceName: EXCHANGE_PRINCIPAL,
      issuer: `${EXCHANGE_PRINCIPAL}@${realm}`,
      allowedAudiences: [`${EXCHANGE_PRINCIPAL}@${realm}`],
      keys: [
        {
          usage: "signing",
          keyinfo: { x5t },
          keyvalue: { type: "x509Certificate", value: certificateDer.toString("base64") },
        },
      ],
      endpoints: [{ location: this.metadataUrl(), protocol: "OAuth2", usage: "metadata" }],
    };
  }

  /** A callback token for the user `smtp` (mailbox `mailboxGuid`), scoped to the item `itemId`, as Exchange issues it. */
  async callbackToken(mailboxGuid: string, smtp: string, itemId: string, lifetimeSeconds = 300): Promise<string> {
    const { privateKey, x5t } = await this.signing();
    const url = new URL(this.host());
    const realm = url.hostname;
    const now = Math.floor(Date.now() / 1000);
    const appctx = JSON.stringify({ oid: mailboxGuid, smtp, scope: `ParentItemId:${itemId}` });
    return new SignJWT({
      nameid: `${mailboxGuid}@${realm}`,
      ver: "Exchange.Callback.V1",
      appctxsender: `${EXCHANGE_PRINCIPAL}@${realm}`,
      appctx,
    })
      .setProtectedHeader({ typ: "JWT", alg: "RS256", x5t })
      .setAudience(`${EXCHANGE_PRINCIPAL}/${url.hostname}@${realm}`)
      .setIssuer(`${EXCHANGE_PRINCIPAL}@${realm}`)
      .setNotBefore(now - 300)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(privateKey);
  }

  /** An identity token for `mailboxGuid`'s user, addressed to the add-in page `audience`. */
  async identityToken(mailboxGuid: string, audience: string, lifetimeSeconds = 8 * 3600): Promise<string> {
    const { privateKey, x5t } = await this.signing();
    const realm = new URL(this.host()).hostname;
    const now = Math.floor(Date.now() / 1000);
    const appctx = JSON.stringify({ msexchuid: mailboxGuid, version: "ExIdTok.V1", amurl: this.metadataUrl() });
    return new SignJWT({
      appctxsender: `${EXCHANGE_PRINCIPAL}@${realm}`,
      isbrowserhostedapp: "true",
      appctx,
    })
      .setProtectedHeader({ typ: "JWT", alg: "RS256", x5t })
      .setAudience(audience)
      .setIssuer(`${EXCHANGE_PRINCIPAL}@${realm}`)
      .setNotBefore(now - 300)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(privateKey);
  }
}
