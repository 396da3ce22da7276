/**
 * The Zoho mail port's attachments against the Zoho simulator over HTTPS: files go to the file store at most 10 per
 * upload call and are listed on the associated mail in order; the file store and associate_email refuse what Zoho
 * refuses (a body that is not multipart, a file id nobody uploaded).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZohoSimulator } from "../../../simulators/zoho/index.js";
import type { MailFile } from "../../../src/connectors/port.js";
import type { ZohoCrmPort } from "../../../src/connectors/zoho/index.js";
import type { Email } from "../../../src/model/index.js";
import { testPki } from "../../support/pki.js";
import { connectZoho } from "./support.js";

const mail = (messageId: string): Email => ({
  messageId,
  from: { address: "mia@customer.example", name: "Mia Mail" },
  to: [{ address: "alice@contoso.com" }],
  cc: [],
  date: "2026-05-04T08:00:00Z",
  subject: `Scans ${messageId}`,
  body: { format: "text", content: "Scans attached." },
  direction: "received",
  attachments: [],
});

describe("Zoho mail port: attachments", () => {
  let zoho: Awaited<ReturnType<typeof startZohoSimulator>>;
  let port: ZohoCrmPort;
  let contactId: string;

  beforeAll(async () => {
    zoho = await startZohoSimulator({ pki: await testPki() });
    const [contact] = zoho.control.actAs().insert("Contacts", [{ Last_Name: "Mail", Email: "mia@customer.example" }]);
    contactId = String(contact?.id);
    ({ crm: port } = await connectZoho(zoho));
  });

  afterAll(async () => {
    await port?.close();
    await zoho?.close();
  });

  it("uploads twelve files in two calls and lists them on the mail in order", async () => {
    const files: MailFile[] = Array.from({ length: 12 }, (_, index) => ({
      name: `scan-${index + 1}.png`,
      contentType: "image/png",
      isInline: false,
      content: Buffer.alloc(100 + index, index),
    }));
    const person = { module: "Contacts" as const, id: contactId, email: "mia@customer.example" };
    const result = await port.mail.associateEmail(
      person,
      { id: "m1", messageId: "<scans@customer.example>", value: mail("<scans@customer.example>") },
      files,
    );
    expect(result).toEqual({ ok: true, value: undefined });
    expect(zoho.control.totalCalls((endpoint) => endpoint === "files.upload")).toBe(2);
    const [stored] = (zoho.control.state().emails as Record<string, Array<{ attachments: unknown[] }>>)[
      `Contacts/${contactId}`
    ] ?? [{ attachments: [] }];
    expect(stored?.attachments).toEqual(
      files.map((file) => ({ id: expect.any(String), name: file.name, size: String(file.content.length) })),
    );
  });

  it("refuses an upload that is not multipart and a mail naming a file nobody uploaded", async () => {
    const notMultipart = await port.client.request({ method: "POST", path: "files", body: { file: "x" } });
    expect(notMultipart).toMatchObject({ status: 400, json: { code: "failure_in_attachment_handling" } });

    const forged = await port.client.request({
      method: "POST",
      path: `Contacts/${contactId}/actions/associate_email`,
      body: {
        Emails: [
          {
            from: { email: "mia@customer.example" },
            to: [{ email: "alice@contoso.com" }],
            subject: "Forged",
            content: "x",
            date_time: "2026-05-04T08:00:00+00:00",
            sent: false,
            original_message_id: "<forged@customer.example>",
            attachments: [{ id: "not-an-uploaded-file", name: "x.pdf" }],
          },
        ],
      },
    });
    expect(forged.status).toBe(400);
    expect(forged.json?.Emails).toEqual([
      {
        code: "INVALID_DATA",
        details: { api_name: "attachments", json_path: "$.Emails[0].attachments[0].id" },
        message: "invalid data",
        status: "error",
      },
    ]);
  });
});
