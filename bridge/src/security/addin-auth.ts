/**
 * Who is calling the add-in API, proven by a token the caller cannot forge — never by an address it claims.
 *
 * - `aad` (Office 365): a Nested App Authentication access token for the bridge's API. Verified with jose against
 *   the tenant's JWKS (`{authority}/{tenant}/discovery/v2.0/keys`): RS256 signature, issuer
 *   `{authority}/{tenant}/v2.0`, audience = the bridge's app id (or `api://…/{app id}`), `scp` containing the API
 *   scope, `tid` = the configured tenant (graph-and-addin.md §2.5; OfficeDev NAA sample validation-helper). The
 *   user is keyed by `tid:oid`; the first time, the token's own `preferred_username` (signed by Entra) binds it to
 *   the mailbox of that name.
 * - `exchange-identity` (on-premises): the Exchange user identity token. Header `alg` RS256 with `x5t`; payload
 *   `appctx` (JSON text) with `version` "ExIdTok.V1", `msexchuid` and `amurl`; `aud` = the add-in's URL. The
 *   signing certificate comes from the auth metadata document at `amurl`, which must be on an allowed Exchange host
 *   (otherwise anyone could point us at their own keys). Unique id = amurl + msexchuid (Microsoft's "Validate an
 *   Exchange identity token"). The token carries no address, so the first time the add-in also sends an Exchange
 *   callback token (`getCallbackTokenAsync`, Mailbox 1.1): signed by the same server's auth certificate (same
 *   metadata document, same issuer), addressed to Exchange on an allowed host, its `appctx.smtp` names the user's
 *   mailbox, which is then linked to the unique id — once: a mailbox linked to another id, or a callback token of
 *   another mailbox than the linked one, is refused. Microsoft calls the callback token's format opaque (it changed
 *   in Exchange Online in 2024), so any other shape is refused rather than guessed at (sign-in then fails closed).
 * - `sandbox`: only in sandbox mode, an HS256 token this process minted itself for a simulated mailbox.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importX509,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from "jose";
import type { Context } from "koa";
import { z } from "zod";
import { EXCHANGE_CALLBACK_TOKEN_HEADER } from "../api/addin.js";
import { HttpError, httpErrors } from "../http/errors.js";
import type { BridgeUser, UserRepository } from "../storage/user-repository.js";
import { hostAllowed } from "./url-allow-list.js";

export interface AddinAuthSettings {
  entra?: { tenantId: string; clientId: string; authorityHost: string; apiScope: string };
  exchangeIdentity?: { addinUrl: string; allowedHosts: readonly string[] };
  /** Present only in sandbox mode. */
  sandboxKey?: Uint8Array;
  /** Decides whether a known user may use the add-in features (access policy, module settings). */
  mayUse(user: BridgeUser): Promise<boolean>;
}

const unauthenticated = (why: string) => httpErrors.unauthenticated("addin", why);
const notEnabled = (why: string) => new HttpError(403, "MAILBOX_NOT_ENABLED", why);
const notLinked = () =>
  new HttpError(
    403,
    "MAILBOX_NOT_LINKED",
    `this Exchange user is not linked to a mailbox yet; send an Exchange callback token in ${EXCHANGE_CALLBACK_TOKEN_HEADER}`,
  );
const linkRefused = (why: string) => new HttpError(403, "MAILBOX_LINK_REFUSED", why);

const METADATA_TIMEOUT_MS = 10_000;

/** The Exchange server's own principal: issuer of its tokens (`…@realm`) and audience of callback tokens. */
const EXCHANGE_PRINCIPAL = "00000002-0000-0ff1-ce00-000000000000";
/** A callback token's audience: Exchange itself on the host the client reached, `<principal>/<host>@<realm>`. */
const CALLBACK_AUDIENCE = new RegExp(`^${EXCHANGE_PRINCIPAL}/([^@/]+)@(.+)$`);

const aadClaims = z.object({
  tid: z.string(),
  oid: z.string(),
  scp: z.string(),
  preferred_username: z.string().optional(),
});

const appContext = z.object({ version: z.literal("ExIdTok.V1"), msexchuid: z.string(), amurl: z.string().url() });
const callbackContext = z.object({ smtp: z.email() });

const authMetadata = z.object({
  keys: z.array(
    z.object({
      keyinfo: z.object({ x5t: z.string() }),
      keyvalue: z.object({ type: z.string(), value: z.string() }),
    }),
  ),
});

function certificatePem(base64Der: string): string {
  const lines = base64Der.replace(/\s+/g, "").match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

export function createSandboxKey(): Uint8Array {
  return randomBytes(32);
}

/** Sandbox only: a short-lived token for one simulated mailbox. */
export async function mintSandboxToken(key: Uint8Array, mailbox: string, lifetimeSeconds = 3600) {
  const expiresAt = new Date(Date.now() + lifetimeSeconds * 1000);
  const token = await new SignJWT({ mailbox: mailbox.toLowerCase() })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer("bridge-sandbox")
    .setAudience("bridge-addin")
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key);
  return { token, expiresAt };
}

export function createAddinAuthenticator(users: UserRepository, settings: AddinAuthSettings) {
  const jwks: JWTVerifyGetKey | undefined = settings.entra
    ? createRemoteJWKSet(new URL(`${settings.entra.authorityHost}/${settings.entra.tenantId}/discovery/v2.0/keys`))
    : undefined;
  const metadataCache = new Map<string, { fetchedAt: number; keys: z.infer<typeof authMetadata>["keys"] }>();

  async function fromAad(token: string): Promise<BridgeUser | undefined> {
    const entra = settings.entra;
    if (!entra || !jwks) throw unauthenticated("Office 365 sign-in is not configured on this bridge");
    const { payload } = await jwtVerify(token, jwks, {
      algorithms: ["RS256"],
      issuer: `${entra.authorityHost}/${entra.tenantId}/v2.0`,
      audience: [entra.clientId, `api://${entra.clientId}`],
    }).catch(() => {
      throw unauthenticated("the access token is not valid for this bridge");
    });
    const claims = aadClaims.safeParse(payload);
    if (!claims.success || claims.data.tid !== entra.tenantId) throw unauthenticated("token of another tenant");
    if (!claims.data.scp.split(" ").includes(entra.apiScope))
      throw unauthenticated(`token lacks scope ${entra.apiScope}`);
    const identity = `aad:${claims.data.tid}:${claims.data.oid}`;
    const known = await users.byExchangeIdentity(identity);
    if (known || !claims.data.preferred_username) return known;
    const byName = await users.byMailbox(claims.data.preferred_username);
    return byName && (await users.linkExchangeIdentity(byName.id, identity)) ? users.byId(byName.id) : undefined;
  }

  async function metadataKeys(amurl: string) {
    const cached = metadataCache.get(amurl);
    if (cached && Date.now() - cached.fetchedAt < 3_600_000) return cached.keys;
    // The URL comes from a token not yet verified: an unreachable, slow or non-JSON answer is the caller's failure.
    const document = await fetch(amurl, { redirect: "error", signal: AbortSignal.timeout(METADATA_TIMEOUT_MS) })
      .then((response) => (response.ok ? response.json() : undefined))
      .catch(() => undefined);
    const parsed = authMetadata.safeParse(document);
    if (!parsed.success) throw unauthenticated("the Exchange auth metadata document could not be read");
    metadataCache.set(amurl, { fetchedAt: Date.now(), keys: parsed.data.keys });
    return parsed.data.keys;
  }

  /** The signing certificate, from the metadata document at `amurl`, that the token's header names. */
  async function exchangeSigningKey(amurl: URL, token: string) {
    let x5t: string | undefined;
    try {
      x5t = decodeProtectedHeader(token).x5t;
    } catch {
      throw unauthenticated("malformed Exchange token");
    }
    const key = (await metadataKeys(amurl.toString())).find((entry) => entry.keyinfo.x5t === x5t);
    if (!key) throw unauthenticated("unknown Exchange signing key");
    return importX509(certificatePem(key.keyvalue.value), "RS256");
  }

  /** The mailbox address an Exchange callback token vouches for, checked against the identity token's server. */
  async function callbackTokenMailbox(
    callbackToken: string,
    amurl: URL,
    issuer: string,
    allowedHosts: readonly string[],
  ): Promise<string> {
    const { payload } = await jwtVerify(callbackToken, await exchangeSigningKey(amurl, callbackToken), {
      algorithms: ["RS256"],
      issuer,
    }).catch((error: unknown) => {
      if (error instanceof HttpError) throw error;
      throw unauthenticated("the Exchange callback token is not valid for this Exchange server");
    });
    // The host the client reached (a load-balanced name may differ from the metadata host) must be trusted, and the
    // realm must be the identity token's.
    const audience = CALLBACK_AUDIENCE.exec(String(payload.aud));
    const host = audience?.[1]?.replace(/:\d+$/, "") ?? "";
    if (!audience || audience[2] !== issuer.slice(issuer.indexOf("@") + 1) || !hostAllowed(host, allowedHosts)) {
      throw unauthenticated("the Exchange callback token is not addressed to a trusted Exchange server");
    }
    try {
      return callbackContext.parse(JSON.parse(String(payload.appctx))).smtp.toLowerCase();
    } catch {
      throw unauthenticated("the Exchange callback token names no mailbox");
    }
  }

  async function fromExchangeIdentity(token: string, callbackToken: string): Promise<BridgeUser | undefined> {
    const exchange = settings.exchangeIdentity;
    if (!exchange) throw unauthenticated("on-premises sign-in is not configured on this bridge");
    let context: z.infer<typeof appContext>;
    try {
      const payload: JWTPayload = decodeJwt(token);
      context = appContext.parse(JSON.parse(String(payload.appctx)));
    } catch {
      throw unauthenticated("malformed Exchange identity token");
    }
    const amurl = new URL(context.amurl);
    if (amurl.protocol !== "https:" || !hostAllowed(amurl.hostname, exchange.allowedHosts)) {
      throw unauthenticated("the token names an Exchange server this bridge does not trust");
    }
    const { payload } = await jwtVerify(token, await exchangeSigningKey(amurl, token), {
      algorithms: ["RS256"],
      audience: exchange.addinUrl,
    }).catch((error: unknown) => {
      if (error instanceof HttpError) throw error;
      throw unauthenticated("the Exchange identity token is not valid");
    });
    const uniqueId = createHash("sha256").update(`${amurl.toString()}${context.msexchuid}`).digest("base64url");
    const identity = `ews:${uniqueId}`;
    const linked = await users.byExchangeIdentity(identity);
    if (!callbackToken) {
      if (!linked) throw notLinked();
      return linked;
    }
    const mailbox = await callbackTokenMailbox(callbackToken, amurl, String(payload.iss), exchange.allowedHosts);
    if (linked) {
      if (linked.mailbox.toLowerCase() !== mailbox) {
        throw linkRefused("the callback token belongs to another mailbox than the one linked to this Exchange user");
      }
      return linked;
    }
    const owner = await users.byMailbox(mailbox);
    if (!owner) return undefined;
    if (!(await users.linkExchangeIdentity(owner.id, identity))) {
      throw linkRefused("this mailbox is already linked to another Exchange user");
    }
    return users.byId(owner.id);
  }

  async function fromSandbox(token: string): Promise<BridgeUser | undefined> {
    if (!settings.sandboxKey) throw unauthenticated("sandbox tokens are accepted only in sandbox mode");
    const { payload } = await jwtVerify(token, settings.sandboxKey, {
      algorithms: ["HS256"],
      issuer: "bridge-sandbox",
      audience: "bridge-addin",
    }).catch(() => {
      throw unauthenticated("the sandbox token is not valid");
    });
    return users.byMailbox(String(payload.mailbox));
  }

  return async (ctx: Context): Promise<BridgeUser> => {
    const [scheme, token] = ctx.get("authorization").split(" ");
    if (scheme?.toLowerCase() !== "bearer" || !token) throw unauthenticated("send Authorization: Bearer <token>");
    const kind = ctx.get("x-bridge-token-type");
    if (!["aad", "exchange-identity", "sandbox"].includes(kind)) {
      throw unauthenticated("X-Bridge-Token-Type must be aad, exchange-identity or sandbox");
    }
    const user =
      kind === "aad"
        ? await fromAad(token)
        : kind === "exchange-identity"
          ? await fromExchangeIdentity(token, ctx.get(EXCHANGE_CALLBACK_TOKEN_HEADER))
          : kind === "sandbox"
            ? await fromSandbox(token)
            : undefined;
    if (!user) throw notEnabled("this mailbox is not connected to the bridge");
    if (!user.zohoActive || !(await settings.mayUse(user)))
      throw notEnabled("the admin has not enabled the bridge for you");
    return user;
  };
}
