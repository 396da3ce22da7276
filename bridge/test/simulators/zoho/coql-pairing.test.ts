/**
 * COQL criteria pairing over the simulator's HTTP stack: more than two criteria must be paired with parentheses,
 * `((A and B) and C)` (COQL-Limitations v2–v8, Kaizen #171 Q2); Zoho answers an unpaired WHERE with 400 SYNTAX_ERROR.
 * The bridge joins its criteria with `coqlJoin`, so its queries are sent here as built.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { coqlJoin, coqlString } from "../../../src/connectors/zoho/mail.js";
import { useZohoSimulator } from "./support.js";

const UNPAIRED_ERROR = {
  code: "SYNTAX_ERROR",
  details: { clause: "where" },
  message: "error occured while parsing the query",
  status: "error",
};

describe("Zoho simulator COQL criteria pairing", () => {
  const zoho = useZohoSimulator();

  const query = (where: string) =>
    zoho.call("POST", "coql", { body: { select_query: `select Last_Name, Email from Contacts where ${where}` } });

  const lastNames = async (where: string) => {
    const reply = await query(where);
    expect(reply.status, JSON.stringify(reply.json)).toBeLessThan(300);
    return ((reply.json?.data ?? []) as Array<{ Last_Name: string }>).map((row) => row.Last_Name).sort();
  };

  beforeAll(async () => {
    const data = [
      { Last_Name: "Ames", First_Name: "Ann", Email: "ann@pair.test", Title: "CEO" },
      { Last_Name: "Boyle", First_Name: "Ben", Email: "ben@pair.test", Title: "CTO" },
      { Last_Name: "Cole", First_Name: "Cat", Email: "cat@pair.test", Title: "CEO" },
      { Last_Name: "Dunn", First_Name: "Dan", Email: "dan@other.test", Title: "CFO" },
    ];
    const reply = await zoho.call("POST", "Contacts", { body: { data } });
    expect(reply.status).toBe(201);
  });

  it.each([
    ["three OR'd criteria", "Last_Name = 'Ames' or Last_Name = 'Boyle' or Last_Name = 'Cole'"],
    [
      "three OR'd criteria in one pair of brackets",
      "(Last_Name like '%a%' or First_Name like '%a%' or Email like '%a%')",
    ],
    ["Kaizen #171's three AND'ed criteria", "id is not null and Last_Name is not null and Email is not null"],
    ["AND and OR mixed without brackets", "Title = 'CEO' and Email like '%pair%' or Last_Name = 'Dunn'"],
    [
      "an unpaired triple nested in a pair",
      "((Title = 'CEO' or Title = 'CTO' or Title = 'CFO') and Email is not null)",
    ],
  ])("refuses %s with 400 SYNTAX_ERROR", async (_name, where) => {
    const reply = await query(where);
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(UNPAIRED_ERROR);
  });

  it("accepts one or two criteria without brackets and paired criteria at any depth", async () => {
    expect(await lastNames("Title = 'CEO'")).toEqual(["Ames", "Cole"]);
    expect(await lastNames("Title = 'CEO' or Title = 'CFO'")).toEqual(["Ames", "Cole", "Dunn"]);
    expect(await lastNames("((id is not null and Last_Name is not null) and Email like '%pair%')")).toEqual([
      "Ames",
      "Boyle",
      "Cole",
    ]);
    expect(await lastNames("(Title = 'CEO' and (Email like '%pair%' and Last_Name != 'Ames'))")).toEqual(["Cole"]);
    expect(await lastNames("((Title = 'CEO' and Email like '%pair%') or Last_Name = 'Dunn')")).toEqual([
      "Ames",
      "Cole",
      "Dunn",
    ]);
  });

  it("does not count BETWEEN's own AND as a third criterion", async () => {
    expect(await lastNames("Last_Name between 'B' and 'D' and Title = 'CEO'")).toEqual(["Cole"]);
  });

  it("accepts what coqlJoin builds from three and four criteria, and answers their union", async () => {
    const pattern = coqlString("%an%");
    const three = coqlJoin("or", [`Last_Name like ${pattern}`, `First_Name like ${pattern}`, `Email like ${pattern}`]);
    expect(three).toBe(`((Last_Name like ${pattern} or First_Name like ${pattern}) or Email like ${pattern})`);
    expect(await lastNames(three)).toEqual(["Ames", "Dunn"]);
    const four = coqlJoin(
      "or",
      ["Ames", "Boyle", "Cole", "Dunn"].map((name) => `Last_Name = ${coqlString(name)}`),
    );
    expect(await lastNames(four)).toEqual(["Ames", "Boyle", "Cole", "Dunn"]);
    expect(await lastNames(coqlJoin("and", ["Title = 'CEO'", "Email like '%pair%'", "First_Name = 'Cat'"]))).toEqual([
      "Cole",
    ]);
  });
});
