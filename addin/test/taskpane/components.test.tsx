import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ReactElement } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Attendees } from "../../src/taskpane/components/Attendees.js";
import { SendToCrm, sendTargets } from "../../src/taskpane/components/SendToCrm.js";
import { SyncPanel } from "../../src/taskpane/components/SyncPanel.js";
import { TaskPane } from "../../src/taskpane/components/TaskPane.js";
import type { TaskPaneActions, TaskPaneData } from "../../src/taskpane/types.js";
import { danaContact, syncStatus } from "../support/fixtures.js";

afterEach(cleanup);

const renderInTheme = (ui: ReactElement) => render(<FluentProvider theme={webLightTheme}>{ui}</FluentProvider>);

const rejecting = () => Promise.reject(new Error("not expected"));
function actions(overrides: Partial<TaskPaneActions> = {}): TaskPaneActions {
  return {
    createPerson: rejecting,
    sendToCrm: rejecting,
    createFollowUp: rejecting,
    setModuleEnabled: rejecting,
    syncNow: rejecting,
    searchPeople: rejecting,
    addAttendees: rejecting,
    ...overrides,
  };
}

const baseData: TaskPaneData = {
  self: "me@fabrikam.com",
  item: {
    itemType: "message",
    mode: "read",
    ewsItemId: "AAMk1",
    restItemId: "AAMk1-rest",
    internetMessageId: "<dana-1@contoso.com>",
    subject: "Renewal terms",
    from: { email: "dana@contoso.com", name: "Dana Kim" },
    to: [{ email: "me@fabrikam.com", name: "Me" }],
    cc: [{ email: "lee@newco.io", name: "Lee Park" }],
    attachments: [{ id: "a1", name: "terms.pdf", size: 1000 }],
  },
  people: [
    { email: "dana@contoso.com", name: "Dana Kim" },
    { email: "lee@newco.io", name: "Lee Park" },
  ],
  context: {
    status: "ready",
    data: [
      { email: "dana@contoso.com", records: [danaContact] },
      { email: "lee@newco.io", records: [] },
    ],
  },
  itemStatus: {
    status: "ready",
    data: { state: "not-synced", reason: null, crmRecords: [], lastSyncedAt: null },
  },
  sync: { status: "ready", data: syncStatus },
  availability: { status: "ready", data: [] },
  meeting: null,
};

describe("task pane components (no Office host)", () => {
  it("shows a known contact with owner, account, open deal stage and amount, tasks and activity", () => {
    renderInTheme(<TaskPane data={baseData} actions={actions()} />);
    const card = screen.getByRole("group", { name: "Contact Dana Kim" });
    expect(within(card).getByText("Owner: Sam Seller")).toBeTruthy();
    expect(within(card).getByText("Account: Contoso Ltd")).toBeTruthy();
    expect(within(card).getByText("Contoso renewal 2027 — Negotiation/Review — $48,000.00")).toBeTruthy();
    expect(within(card).getByText(/Send quote \(due Nov 30, 2026\)/)).toBeTruthy();
    expect(within(card).getByText(/Pricing call/)).toBeTruthy();
  });

  it("creates a lead from an unknown sender with one click, prefilled from the e-mail", async () => {
    const createPerson = vi.fn<TaskPaneActions["createPerson"]>((draft) =>
      Promise.resolve({
        created: true,
        record: { ...danaContact, module: "Leads", id: "L1", name: "Lee Park", email: draft.email, account: null },
      }),
    );
    renderInTheme(<TaskPane data={baseData} actions={actions({ createPerson })} />);
    const unknown = screen.getByRole("group", { name: "Not in CRM lee@newco.io" });
    fireEvent.click(within(unknown).getByRole("button", { name: "Create lead" }));
    await screen.findByRole("group", { name: "Lead Lee Park" });
    expect(createPerson).toHaveBeenCalledWith({
      module: "Leads",
      firstName: "Lee",
      lastName: "Park",
      email: "lee@newco.io",
      company: "Newco",
      title: null,
      phone: null,
    });
  });

  it("lists colleagues at the user's own domain apart, without offering to create them in the CRM", () => {
    const colleague = { email: "kim@fabrikam.com", name: "Kim Colleague" };
    const internal: TaskPaneData = {
      ...baseData,
      people: [colleague, { email: "lee@newco.io", name: "Lee Park" }],
      context: { status: "ready", data: [{ email: colleague.email, records: [] }] },
    };
    const { unmount } = renderInTheme(<TaskPane data={internal} actions={actions()} />);
    const colleagues = screen.getByRole("group", { name: "Colleagues" });
    expect(colleagues.textContent).toContain("Kim Colleague");
    expect(within(colleagues).queryAllByRole("button")).toEqual([]);
    expect(screen.queryByRole("group", { name: "Not in CRM kim@fabrikam.com" })).toBeNull();
    // Someone from outside still gets the one-click create.
    expect(screen.getByRole("group", { name: "Not in CRM lee@newco.io" })).toBeTruthy();
    expect(screen.getByText(/create a contact or lead first/)).toBeTruthy();
    unmount();
    renderInTheme(<TaskPane data={{ ...internal, people: [colleague] }} actions={actions()} />);
    expect(screen.getByText("Only colleagues are on this e-mail: there is nothing to file in the CRM.")).toBeTruthy();
  });

  it("offers the contact, its account and its deal as send targets, all chosen by default", async () => {
    const sendToCrm = vi.fn<TaskPaneActions["sendToCrm"]>((targets) =>
      Promise.resolve({
        internetMessageId: "<dana-1@contoso.com>",
        results: targets.map((t) => ({ target: { ...t, name: t.id }, status: "associated" as const, error: null })),
      }),
    );
    renderInTheme(<TaskPane data={baseData} actions={actions({ sendToCrm })} />);
    fireEvent.click(screen.getByRole("checkbox", { name: /Include attachments \(1\)/ }));
    fireEvent.click(screen.getByRole("button", { name: "Send to CRM" }));
    await waitFor(() => expect(sendToCrm).toHaveBeenCalledTimes(1));
    expect(sendToCrm).toHaveBeenCalledWith(
      [
        { module: "Contacts", id: danaContact.id },
        { module: "Accounts", id: "4150868000000224001" },
        { module: "Deals", id: "4150868000000224010" },
      ],
      true,
    );
    expect(await screen.findByRole("list", { name: "Send results" })).toBeTruthy();
  });

  it("shows 'already in CRM' from the server and does not offer linked records again", () => {
    const onSend = vi.fn();
    const targets = sendTargets([{ email: "dana@contoso.com", records: [danaContact] }]);
    renderInTheme(
      <SendToCrm
        targets={targets}
        attachmentCount={0}
        onSend={onSend}
        status={{
          state: "synced",
          reason: null,
          crmRecords: [{ module: "Contacts", id: danaContact.id, name: "Dana Kim" }],
          lastSyncedAt: "2026-11-25T10:00:00+00:00",
        }}
      />,
    );
    expect(screen.getByText("Already in CRM: Contact Dana Kim")).toBeTruthy();
    const contactBox = screen.getByRole("checkbox", { name: /Contact: Dana Kim \(already linked\)/ });
    expect((contactBox as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole("checkbox", { name: /Include attachments/ }) as HTMLInputElement).disabled).toBe(true);
  });

  it("sync panel: admin-fixed modules are read-only, toggles and sync now call the bridge, errors are listed", async () => {
    const onToggle = vi.fn(() => Promise.resolve());
    const onSyncNow = vi.fn(() => Promise.resolve());
    renderInTheme(
      <SyncPanel
        sync={syncStatus}
        itemStatus={{
          state: "not-synced",
          reason: { code: "module-disabled", message: "e-mail sync is off for you" },
          crmRecords: [],
          lastSyncedAt: null,
        }}
        onToggle={onToggle}
        onSyncNow={onSyncNow}
      />,
    );
    expect(screen.getByText("This item: Not synced because e-mail sync is off for you")).toBeTruthy();
    expect((screen.getByRole("switch", { name: "Calendar" }) as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole("switch", { name: "Contacts" }));
    await waitFor(() => expect(onToggle).toHaveBeenCalledWith("contacts", false));
    fireEvent.click(screen.getByRole("button", { name: "Sync now" }));
    await screen.findByText("Sync queued");
    expect(screen.getByText(/Board meeting.*Zoho rejected the end time/)).toBeTruthy();
  });

  it("sync panel: says what the last sync changed in words, and a switched-off module is just off", () => {
    const [contacts, events] = syncStatus.modules;
    if (!contacts || !events) throw new Error("fixture without modules");
    const idle = { finishedAt: "2026-11-25T12:00:00+00:00", outcome: "succeeded" as const };
    renderInTheme(
      <SyncPanel
        sync={{
          ...syncStatus,
          modules: [
            contacts,
            { ...contacts, module: "tasks", lastSync: { ...idle, created: 0, updated: 0, deleted: 0, errors: 0 } },
            { ...events, enabled: false, state: "syncing" },
          ],
        }}
        itemStatus={null}
        onToggle={rejecting}
        onSyncNow={rejecting}
      />,
    );
    expect(screen.getByText(/: 2 created and 5 updated$/)).toBeTruthy();
    expect(screen.getByText(/: no changes$/)).toBeTruthy();
    expect(screen.getByText("off · set by your admin")).toBeTruthy();
    expect(screen.queryByText("syncing")).toBeNull();
  });

  it("creates a follow-up task linked to the contact and the deal", async () => {
    const createFollowUp = vi.fn<TaskPaneActions["createFollowUp"]>(() =>
      Promise.resolve({ module: "Tasks", id: "T9", name: "Follow up: Renewal terms", crmUrl: null }),
    );
    renderInTheme(<TaskPane data={baseData} actions={actions({ createFollowUp })} />);
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    await screen.findByText("Created task “Follow up: Renewal terms”");
    expect(createFollowUp.mock.calls[0]?.[0]).toMatchObject({
      kind: "task",
      subject: "Follow up: Renewal terms",
      who: { module: "Contacts", id: danaContact.id },
      what: { module: "Deals", id: "4150868000000224010" },
      internetMessageId: "<dana-1@contoso.com>",
    });
  });

  it("attendees: shows availability and adds a CRM contact found by search", async () => {
    const onSearch = vi.fn(() =>
      Promise.resolve([
        { module: "Contacts" as const, id: danaContact.id, name: "Dana Kim", email: "dana@contoso.com" },
      ]),
    );
    const onAdd = vi.fn(() => Promise.resolve());
    renderInTheme(
      <Attendees
        schedules={[{ email: "lee@newco.io", availabilityView: "0220", items: [], error: null }]}
        onSearch={onSearch}
        onAdd={onAdd}
      />,
    );
    expect(screen.getByRole("img", { name: "lee@newco.io is busy at times" })).toBeTruthy();
    fireEvent.change(screen.getByRole("textbox", { name: "Find CRM contacts or leads" }), {
      target: { value: "dana" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Search" }));
    fireEvent.click(await screen.findByRole("button", { name: "Add" }));
    await waitFor(() => expect(onAdd).toHaveBeenCalledWith([{ email: "dana@contoso.com", name: "Dana Kim" }]));
  });

  it("shows loading and errors without crashing", () => {
    renderInTheme(
      <TaskPane
        data={{ ...baseData, context: { status: "error", message: "The bridge answered 503" } }}
        actions={actions()}
      />,
    );
    expect(screen.getByText("The bridge answered 503")).toBeTruthy();
  });
});
