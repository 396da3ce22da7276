/**
 * Server side of NTLM over HTTP (MS-NLMP), enough for @ewsjs/xhr's client: Type 1 → 401 with a Type 2
 * challenge (NTLMv2 requested via NEGOTIATE_NTLM2_KEY + TARGET_INFO) → Type 3 verified as NTLMv2:
 * NTProofStr = HMAC-MD5(NTOWFv2, serverChallenge ‖ blob), NTOWFv2 = HMAC-MD5(MD4(UTF-16LE(password)),
 * UTF-16LE(UPPER(user) ‖ domain)). NTLM authenticates the TCP connection, so later requests on the same socket
 * need no header (that is how IIS behaves with NTLM and kept-alive connections).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import md4 from "js-md4";
import type { Account, Organisation } from "./store.js";

const SIGNATURE = "NTLMSSP\0";
const FLAGS = {
  UNICODE: 0x00000001,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  NTLM2_KEY: 0x00080000,
  TARGET_INFO: 0x00800000,
};

export type NtlmOutcome =
  | { kind: "challenge"; header: string }
  | { kind: "authenticated"; account: Account }
  | { kind: "rejected" };

interface ConnectionState {
  challenge?: Buffer;
  account?: Account;
}

function securityBuffer(message: Buffer, at: number): Buffer {
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  if (offset + length > message.length) throw new Error("bad security buffer");
  return message.subarray(offset, offset + length);
}

export class NtlmServer {
  private connections = new WeakMap<Socket, ConnectionState>();

  constructor(private readonly org: Organisation) {}

  reset(): void {
    this.connections = new WeakMap();
  }

  connectionAccount(req: IncomingMessage): Account | undefined {
    return this.connections.get(req.socket)?.account;
  }

  step(req: IncomingMessage, header: string): NtlmOutcome {
    let message: Buffer;
    try {
      message = Buffer.from(header.replace(/^(NTLM|Negotiate)\s+/i, ""), "base64");
      if (message.toString("latin1", 0, 8) !== SIGNATURE) return { kind: "rejected" };
      const type = message.readUInt32LE(8);
      if (type === 1) return this.challenge(req);
      if (type === 3) return this.verify(req, message);
    } catch {
      return { kind: "rejected" };
    }
    return { kind: "rejected" };
  }

  private challenge(req: IncomingMessage): NtlmOutcome {
    const challenge = randomBytes(8);
    this.connections.set(req.socket, { challenge });
    const target = Buffer.from(this.org.netbios, "utf16le");
    const info = Buffer.concat([
      avPair(2, this.org.netbios),
      avPair(1, "EXCH01"),
      avPair(4, this.org.domain),
      Buffer.alloc(4),
    ]);
    const flags =
      FLAGS.UNICODE |
      FLAGS.REQUEST_TARGET |
      FLAGS.NTLM |
      FLAGS.ALWAYS_SIGN |
      FLAGS.TARGET_TYPE_DOMAIN |
      FLAGS.NTLM2_KEY |
      FLAGS.TARGET_INFO;
    const headerLength = 48;
    const out = Buffer.alloc(headerLength + target.length + info.length);
    out.write(SIGNATURE, 0, "latin1");
    out.writeUInt32LE(2, 8);
    out.writeUInt16LE(target.length, 12);
    out.writeUInt16LE(target.length, 14);
    out.writeUInt32LE(headerLength, 16);
    out.writeUInt32LE(flags, 20);
    challenge.copy(out, 24);
    out.writeUInt16LE(info.length, 40);
    out.writeUInt16LE(info.length, 42);
    out.writeUInt32LE(headerLength + target.length, 44);
    target.copy(out, headerLength);
    info.copy(out, headerLength + target.length);
    return { kind: "challenge", header: `NTLM ${out.toString("base64")}` };
  }

  private verify(req: IncomingMessage, message: Buffer): NtlmOutcome {
    const state = this.connections.get(req.socket);
    if (!state?.challenge) return { kind: "rejected" };
    const ntResponse = securityBuffer(message, 20);
    const domain = securityBuffer(message, 28).toString("utf16le");
    const user = securityBuffer(message, 36).toString("utf16le");
    const account = this.org.findAccount(domain ? `${domain}\\${user}` : user) ?? this.org.findAccount(user);
    if (!account || ntResponse.length < 32) return { kind: "rejected" };
    const ntHash = Buffer.from(md4.arrayBuffer(Buffer.from(account.password, "utf16le")));
    const v2Hash = createHmac("md5", ntHash)
      .update(Buffer.from(user.toUpperCase() + domain, "utf16le"))
      .digest();
    const blob = ntResponse.subarray(16);
    const proof = createHmac("md5", v2Hash)
      .update(Buffer.concat([state.challenge, blob]))
      .digest();
    if (!timingSafeEqual(proof, ntResponse.subarray(0, 16))) return { kind: "rejected" };
    this.connections.set(req.socket, { account });
    return { kind: "authenticated", account };
  }
}

function avPair(id: number, value: string): Buffer {
  const data = Buffer.from(value, "utf16le");
  const pair = Buffer.alloc(4 + data.length);
  pair.writeUInt16LE(id, 0);
  pair.writeUInt16LE(data.length, 2);
  data.copy(pair, 4);
  return pair;
}
