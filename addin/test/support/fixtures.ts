import type { MySyncStatus, PersonRecord, PreviewItem } from "../../../bridge/src/api/addin.js";

export const danaContact: PersonRecord = {
  module: "Contacts",
  id: "4150868000000224005",
  name: "Dana Kim",
  email: "dana@contoso.com",
  title: "Head of Purchasing",
  phone: "+1 555 0100",
  company: null,
  owner: { id: "4150868000000225013", name: "Sam Seller", email: "sam@fabrikam.com" },
  account: { id: "4150868000000224001", name: "Contoso Ltd", website: "contoso.com", owner: null },
  openDeals: [
    {
      id: "4150868000000224010",
      name: "Contoso renewal 2027",
      stage: "Negotiation/Review",
      amount: 48000,
      currency: "USD",
      closingDate: "2026-12-20",
      accountId: "4150868000000224001",
    },
  ],
  recentActivities: [{ module: "Calls", id: "c1", subject: "Pricing call", at: "2026-11-20T15:00:00+00:00" }],
  openTasks: [{ id: "t1", subject: "Send quote", dueDate: "2026-11-30", status: "Not Started", priority: "High" }],
  crmUrl: null,
};

export const syncStatus: MySyncStatus = {
  mailbox: "me@fabrikam.com",
  displayName: "Me",
  modules: [
    {
      module: "contacts",
      enabled: true,
      userMayToggle: true,
      direction: "two-way",
      state: "idle",
      throttledUntil: null,
      lastSync: {
        finishedAt: "2026-11-25T12:00:00+00:00",
        outcome: "succeeded",
        created: 2,
        updated: 5,
        deleted: 0,
        errors: 0,
      },
    },
    {
      module: "events",
      enabled: true,
      userMayToggle: false,
      direction: "two-way",
      state: "failed",
      throttledUntil: null,
      lastSync: null,
    },
  ],
  recentErrors: [
    {
      at: "2026-11-25T11:00:00+00:00",
      module: "events",
      itemLabel: "Board meeting",
      code: "INVALID_DATA",
      message: "Zoho rejected the end time",
    },
  ],
};

export const messageFromDana: PreviewItem = {
  itemType: "message",
  ewsItemId: "AAMkADana1",
  restItemId: "AAMkADana1-rest",
  internetMessageId: "<dana-1@contoso.com>",
  subject: "Renewal terms",
  from: { email: "dana@contoso.com", name: "Dana Kim" },
  to: [{ email: "me@fabrikam.com", name: "Me" }],
  cc: [{ email: "lee@newco.io", name: "Lee Park" }],
  start: null,
  end: null,
  location: null,
  dateTimeCreated: "2026-11-24T09:00:00+00:00",
  bodyText: "Hi, here are the terms.\nDana",
  attachments: [{ id: "a1", name: "terms.pdf", size: 1000 }],
};

export const messageFromStranger: PreviewItem = {
  ...messageFromDana,
  ewsItemId: "AAMkAStranger",
  restItemId: "AAMkAStranger-rest",
  internetMessageId: "<x-1@newco.io>",
  subject: "Introduction",
  from: { email: "lee@newco.io", name: "Lee Park" },
  cc: [],
  attachments: [],
};

export const meetingBeingOrganised: PreviewItem = {
  ...messageFromDana,
  itemType: "appointment",
  ewsItemId: "AAMkAMeeting",
  restItemId: "AAMkAMeeting-rest",
  internetMessageId: null,
  subject: "Renewal kick-off",
  from: { email: "me@fabrikam.com", name: "Me" },
  to: [{ email: "lee@newco.io", name: "Lee Park" }],
  cc: [],
  start: "2026-12-01T09:00:00+00:00",
  end: "2026-12-01T10:00:00+00:00",
  location: "Teams",
  attachments: [],
};
