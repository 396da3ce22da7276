// @vitest-environment node
import { OfficeMockObject } from "office-addin-mock";
import { describe, expect, it, vi } from "vitest";
import { createOfficeHost, OfficeCallError, UnsupportedByHostError, whenOfficeReady } from "../../src/office/host.js";
import { compareVersions, officeEnums } from "../../src/preview/office-stub.js";

type AsyncCallback = (result: object) => void;
const succeeded = (value: unknown) => ({ status: "succeeded", value });
const failed = (name: string, code: number) => ({
  status: "failed",
  value: undefined,
  error: { name, code, message: name },
});

const messageRead = {
  itemType: "message",
  itemId: "AAMkAGI2TG93AAA=",
  internetMessageId: "<CAB1234@mail.contoso.com>",
  subject: "Quarterly numbers",
  from: { emailAddress: "dana@contoso.com", displayName: "Dana Kim" },
  to: [{ emailAddress: "me@fabrikam.com", displayName: "Me" }],
  cc: [{ emailAddress: "lee@contoso.com", displayName: "" }],
  attachments: [{ id: "att1", name: "q3.xlsx", size: 2048 }],
  body: { getAsync: (_type: string, cb: AsyncCallback) => cb(succeeded("Hello\nDana")) },
};

function mockOffice(options: { sets: Record<string, string>; item?: object | null; mailbox?: object }) {
  const isSetSupported = (name: string, version: string) => {
    const max = options.sets[name];
    return max !== undefined && compareVersions(version, max) <= 0;
  };
  const mock = new OfficeMockObject({
    host: "outlook",
    ...officeEnums,
    onReady: () => Promise.resolve({ host: "Outlook", platform: "OfficeOnline" }),
    context: {
      requirements: { isSetSupported },
      mailbox: {
        item: options.item ?? messageRead,
        userProfile: { emailAddress: "me@fabrikam.com", displayName: "Me", timeZone: "W. Europe Standard Time" },
        convertToRestId: (id: string, version: string) => `rest(${version}):${id}`,
        ...options.mailbox,
      },
    },
  });
  const office = mock as unknown as typeof Office;
  // office-addin-mock cannot populate a null property, so "no item selected" is set afterwards.
  if (options.item === null) office.context.mailbox.item = null as unknown as typeof office.context.mailbox.item;
  return office;
}

describe("office host", () => {
  it("waits for Office.onReady and reports host and platform", async () => {
    await expect(whenOfficeReady(mockOffice({ sets: { Mailbox: "1.5" } }))).resolves.toEqual({
      host: "Outlook",
      platform: "OfficeOnline",
    });
  });

  it("reads a message in read mode, converting the EWS id to a REST v2.0 id on Mailbox 1.3", () => {
    const host = createOfficeHost(mockOffice({ sets: { Mailbox: "1.5" } }));
    expect(host.user).toEqual({ email: "me@fabrikam.com", displayName: "Me", timeZone: "W. Europe Standard Time" });
    expect(host.currentItem()).toEqual({
      itemType: "message",
      mode: "read",
      ewsItemId: "AAMkAGI2TG93AAA=",
      restItemId: "rest(v2.0):AAMkAGI2TG93AAA=",
      internetMessageId: "<CAB1234@mail.contoso.com>",
      subject: "Quarterly numbers",
      from: { email: "dana@contoso.com", name: "Dana Kim" },
      to: [{ email: "me@fabrikam.com", name: "Me" }],
      cc: [{ email: "lee@contoso.com", name: "lee@contoso.com" }],
      attachments: [{ id: "att1", name: "q3.xlsx", size: 2048 }],
    });
  });

  it("still reads the item on a Mailbox 1.1 host (Exchange 2013), without REST id or body", async () => {
    const host = createOfficeHost(mockOffice({ sets: { Mailbox: "1.1" } }));
    expect(host.capabilities).toEqual({ mailbox13: false, mailbox15: false, nestedAppAuth: false, dialogApi: false });
    expect(host.currentItem()?.restItemId).toBeNull();
    expect(host.currentItem()?.internetMessageId).toBe("<CAB1234@mail.contoso.com>");
    await expect(host.bodyText()).rejects.toBeInstanceOf(UnsupportedByHostError);
  });

  it("detects nested app authentication and the dialog API at run time", () => {
    const host = createOfficeHost(mockOffice({ sets: { Mailbox: "1.14", NestedAppAuth: "1.1", DialogApi: "1.2" } }));
    expect(host.capabilities).toEqual({ mailbox13: true, mailbox15: true, nestedAppAuth: true, dialogApi: true });
  });

  it("returns the body as text through the promisified body.getAsync", async () => {
    const getAsync = vi.fn((_type: string, cb: AsyncCallback) => cb(succeeded("Hello\nDana")));
    const host = createOfficeHost(
      mockOffice({ sets: { Mailbox: "1.3" }, item: { ...messageRead, body: { getAsync } } }),
    );
    await expect(host.bodyText()).resolves.toBe("Hello\nDana");
    expect(getAsync.mock.calls[0]?.[0]).toBe("text");
  });

  it("rejects with the Office error when a call reports failed", async () => {
    const host = createOfficeHost(
      mockOffice({
        sets: { Mailbox: "1.5" },
        mailbox: { getUserIdentityTokenAsync: (cb: AsyncCallback) => cb(failed("GenericTokenError", 9018)) },
      }),
    );
    const error = await host.userIdentityToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfficeCallError);
    expect(error).toMatchObject({
      operation: "getUserIdentityTokenAsync",
      officeName: "GenericTokenError",
      code: 9018,
    });
  });

  it("rejects instead of throwing when the Office API throws synchronously", async () => {
    const host = createOfficeHost(
      mockOffice({
        sets: { Mailbox: "1.5" },
        mailbox: {
          getUserIdentityTokenAsync: () => {
            throw new Error("host gone");
          },
        },
      }),
    );
    await expect(host.userIdentityToken()).rejects.toThrow("host gone");
  });

  it("subscribes to ItemChanged on Mailbox 1.5 and the handler sees the new item", async () => {
    let registered: (() => void) | undefined;
    const addHandlerAsync = vi.fn((_type: string, handler: () => void, cb: AsyncCallback) => {
      registered = handler;
      cb(succeeded(undefined));
    });
    const office = mockOffice({ sets: { Mailbox: "1.5" }, mailbox: { addHandlerAsync } });
    const host = createOfficeHost(office);
    const seen: (string | undefined)[] = [];
    await host.onItemChanged(() => seen.push(host.currentItem()?.subject));
    expect(addHandlerAsync.mock.calls[0]?.[0]).toBe(office.EventType.ItemChanged);
    office.context.mailbox.item = new OfficeMockObject({
      host: "outlook",
      ...messageRead,
      subject: "Next mail",
    }) as unknown as typeof office.context.mailbox.item;
    registered?.();
    office.context.mailbox.item = null as unknown as typeof office.context.mailbox.item;
    registered?.();
    expect(seen).toEqual(["Next mail", undefined]);
  });

  it("does not subscribe to ItemChanged below Mailbox 1.5 (the pane cannot be pinned there)", async () => {
    const addHandlerAsync = vi.fn();
    const host = createOfficeHost(mockOffice({ sets: { Mailbox: "1.3" }, mailbox: { addHandlerAsync } }));
    const unsubscribe = await host.onItemChanged(() => {});
    unsubscribe();
    expect(addHandlerAsync).not.toHaveBeenCalled();
  });

  it("reads and adds attendees of a meeting being organised", async () => {
    const attendees = [{ emailAddress: "me@fabrikam.com", displayName: "Me" }];
    const item = {
      itemType: "appointment",
      subject: { getAsync: (cb: AsyncCallback) => cb(succeeded("Kick-off")) },
      start: { getAsync: (cb: AsyncCallback) => cb(succeeded(new Date("2026-12-01T09:00:00Z"))) },
      end: { getAsync: (cb: AsyncCallback) => cb(succeeded(new Date("2026-12-01T10:00:00Z"))) },
      requiredAttendees: {
        getAsync: (cb: AsyncCallback) => cb(succeeded([...attendees])),
        addAsync: (people: typeof attendees, cb: AsyncCallback) => {
          attendees.push(...people);
          cb(succeeded(undefined));
        },
      },
    };
    const host = createOfficeHost(mockOffice({ sets: { Mailbox: "1.5" }, item }));
    expect(host.currentItem()).toMatchObject({ itemType: "appointment", mode: "compose", ewsItemId: null });
    await expect(host.meetingDetails()).resolves.toEqual({
      subject: "Kick-off",
      start: new Date("2026-12-01T09:00:00Z"),
      end: new Date("2026-12-01T10:00:00Z"),
    });
    await host.addRequiredAttendees([{ email: "dana@contoso.com", name: "Dana Kim" }]);
    await expect(host.requiredAttendees()).resolves.toEqual([
      { email: "me@fabrikam.com", name: "Me" },
      { email: "dana@contoso.com", name: "Dana Kim" },
    ]);
  });

  it("refuses attendee operations on a read message", async () => {
    const host = createOfficeHost(mockOffice({ sets: { Mailbox: "1.5" } }));
    await expect(host.addRequiredAttendees([{ email: "x@y.com", name: "X" }])).rejects.toBeInstanceOf(
      UnsupportedByHostError,
    );
  });

  it("has no current item when nothing is selected", () => {
    expect(createOfficeHost(mockOffice({ sets: { Mailbox: "1.5" }, item: null })).currentItem()).toBeNull();
  });
});
