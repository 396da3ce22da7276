import { describe, expect, it } from "vitest";
import { useZohoSimulator } from "./support.js";

describe("zoho simulator smoke", () => {
  const zoho = useZohoSimulator();
  it("inserts and lists", async () => {
    const insert = await zoho.call("POST", "Contacts", { body: { data: [{ Last_Name: "Doe", Email: "j@x.com" }] } });
    expect(insert.status).toBe(201);
    const list = await zoho.call("GET", "Contacts?fields=Last_Name,Email");
    expect(list.status).toBe(200);
    console.log(JSON.stringify(insert.json), JSON.stringify(list.json));
  });
});
