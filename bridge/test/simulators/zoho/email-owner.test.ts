/**
 * The Zoho simulator's mail owner over HTTPS: a mail sent from the CRM is owned by its sender, whoever owns the
 * record (real Zoho: "the email record owner (the person who sends the email)"), and associate_email takes an owner
 * only when it is a user of the org (zoho-crm-api.md §4: INVALID_DATA for a bad owner id).
 */
import { describe, expect, it } from "vitest";
import { useZohoSimulator, type ZohoTestClient } from "./support.js";

const associate = (zoho: ZohoTestClient, contactId: string, owner: string) =>
  zoho.call("POST", `Contacts/${contactId}/actions/associate_email`, {
    body: {
      Emails: [
        {
          from: { user_name: "Customer", email: "customer@example.org" },
          to: [{ user_name: "Rep", email: "rep@example.org" }],
          subject: "Order",
          content: "<p>3 boxes</p>",
          date_time: "2026-12-01T10:00:00+00:00",
          sent: false,
          original_message_id: `<order-${owner}@example.org>`,
          owner: { id: owner },
        },
      ],
    },
  });

describe("Zoho simulator: the owner of a record's mail", () => {
  const zoho = useZohoSimulator();

  it("lists a CRM-sent mail with its sender as owner and from, on a colleague's record", async () => {
    const control = zoho.sim.control;
    const bob = control.addUser({ firstName: "Bob", lastName: "Colleague", email: "bob@example.org" });
    const [created] = control.actAs().insert("Contacts", [{ Last_Name: "Customer", Email: "customer@example.org" }]);
    const contactId = String(created?.id);
    const messageId = control.sendEmailFromCrm("Contacts", contactId, {
      to: ["customer@example.org"],
      subject: "Quote",
      content: "<p>Quote</p>",
      sender: bob.id,
    });

    const reply = await zoho.call("GET", `Contacts/${contactId}/Emails?type=sent_from_crm`);
    expect(reply.status).toBe(200);
    expect(reply.json.Emails).toEqual([
      expect.objectContaining({
        message_id: messageId,
        owner: { name: "Bob Colleague", id: bob.id },
        from: { user_name: "Bob Colleague", email: "bob@example.org" },
      }),
    ]);
    expect(() =>
      control.sendEmailFromCrm("Contacts", contactId, { to: [], subject: "x", content: "x", sender: "404" }),
    ).toThrow(/unknown sending user/);
  });

  it("associates a mail for another user of the org, and refuses an owner who is none", async () => {
    const control = zoho.sim.control;
    const bob = control.addUser({ firstName: "Bob", lastName: "Colleague", email: "bob@example.org" });
    const [created] = control.actAs().insert("Contacts", [{ Last_Name: "Customer", Email: "customer@example.org" }]);
    const contactId = String(created?.id);

    expect((await associate(zoho, contactId, bob.id)).status).toBe(201);
    const refused = await associate(zoho, contactId, "111111111111111111");
    expect(refused.status).toBe(400);
    expect(refused.json.Emails[0]).toMatchObject({
      code: "INVALID_DATA",
      status: "error",
      details: { api_name: "owner", json_path: "$.Emails[0].owner" },
    });
    const listed = await zoho.call("GET", `Contacts/${contactId}/Emails`);
    expect(listed.json.Emails.map((mail: { owner: { id: string } }) => mail.owner.id)).toEqual([bob.id]);
  });
});
