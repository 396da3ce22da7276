// @vitest-environment node
import { describe, expect, it } from "vitest";
import { companyFromAddress, draftFromSender, splitName } from "../../src/taskpane/prefill.js";

describe("prefill from the sender", () => {
  it.each([
    ["dana@contoso.com", "Contoso"],
    ["ops@north-wind.co.uk", "North Wind"],
    ["a@mail.fabrikam.de", "Fabrikam"],
    ["someone@gmail.com", null],
    ["no-at-sign", null],
  ])("company of %s is %s", (email, company) => {
    expect(companyFromAddress(email)).toBe(company);
  });

  it.each([
    [
      { email: "dana@contoso.com", name: "Dana Kim" },
      { firstName: "Dana", lastName: "Kim" },
    ],
    [
      { email: "dana@contoso.com", name: "Kim, Dana" },
      { firstName: "Dana", lastName: "Kim" },
    ],
    [
      { email: "mary.ann.lee@contoso.com", name: "mary.ann.lee@contoso.com" },
      { firstName: "Mary Ann", lastName: "Lee" },
    ],
    [
      { email: "info@contoso.com", name: "" },
      { firstName: null, lastName: "Info" },
    ],
    [
      { email: "x@contoso.com", name: "Cher" },
      { firstName: null, lastName: "Cher" },
    ],
  ])("splits %o", (person, expected) => {
    expect(splitName(person)).toEqual(expected);
  });

  it("drafts a lead with the address and company", () => {
    expect(draftFromSender({ email: "dana@contoso.com", name: "Dana Kim" }, "Leads")).toEqual({
      module: "Leads",
      firstName: "Dana",
      lastName: "Kim",
      email: "dana@contoso.com",
      company: "Contoso",
      title: null,
      phone: null,
    });
  });
});
