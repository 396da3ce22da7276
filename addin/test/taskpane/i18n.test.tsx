/**
 * The task pane in Outlook's display language: German and French catalogs, Intl formatting for the full tag, and
 * English for languages without a catalog.
 */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { chooseLocale, createI18n, I18nProvider } from "../../src/i18n/index.js";
import { TaskPane } from "../../src/taskpane/components/TaskPane.js";
import type { TaskPaneActions, TaskPaneData } from "../../src/taskpane/types.js";
import { danaContact, syncStatus } from "../support/fixtures.js";

afterEach(cleanup);

const data: TaskPaneData = {
  self: "me@fabrikam.com",
  item: {
    itemType: "message",
    mode: "read",
    ewsItemId: "AAMk1",
    restItemId: null,
    internetMessageId: "<dana-1@contoso.com>",
    subject: "Renewal terms",
    from: { email: "dana@contoso.com", name: "Dana Kim" },
    to: [],
    cc: [],
    attachments: [],
  },
  people: [{ email: "dana@contoso.com", name: "Dana Kim" }],
  context: { status: "ready", data: [{ email: "dana@contoso.com", records: [danaContact] }] },
  itemStatus: { status: "ready", data: { state: "not-synced", reason: null, crmRecords: [], lastSyncedAt: null } },
  sync: { status: "ready", data: syncStatus },
  availability: { status: "ready", data: [] },
  meeting: null,
};

function renderIn(displayLanguage: string) {
  const createFollowUp = vi.fn<TaskPaneActions["createFollowUp"]>(() => Promise.reject(new Error("not sent")));
  const reject = () => Promise.reject(new Error("not expected"));
  const actions: TaskPaneActions = {
    createPerson: reject,
    sendToCrm: reject,
    createFollowUp,
    setModuleEnabled: reject,
    syncNow: reject,
    searchPeople: reject,
    addAttendees: reject,
  };
  render(
    <FluentProvider theme={webLightTheme}>
      <I18nProvider displayLanguage={displayLanguage}>
        <TaskPane data={data} actions={actions} />
      </I18nProvider>
    </FluentProvider>,
  );
  return createFollowUp;
}

describe("task pane localisation", () => {
  it("renders German for de-DE: words from the catalog, amounts and dates by Intl", async () => {
    const createFollowUp = renderIn("de-DE");
    const card = screen.getByRole("group", { name: "Kontakt Dana Kim" });
    expect(within(card).getByText("Zuständig: Sam Seller")).toBeTruthy();
    expect(within(card).getByText("Firma: Contoso Ltd")).toBeTruthy();
    expect(within(card).getByText(/^Contoso renewal 2027 — Negotiation\/Review — 48\.000,00\s\$$/)).toBeTruthy();
    expect(within(card).getByText(/Send quote \(fällig am 30\.11\.2026\)/)).toBeTruthy();
    expect(within(card).getByText(/^20\.11\.2026, \d\d:00 Anruf: Pricing call$/)).toBeTruthy();
    expect(screen.getByText("Verknüpft mit Dana Kim und Contoso renewal 2027")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Aufgabe anlegen" }));
    expect(createFollowUp.mock.calls[0]?.[0]).toMatchObject({ subject: "Nachfassen: Renewal terms" });
    fireEvent.click(screen.getByRole("tab", { name: "Synchronisierung" }));
    expect(screen.getByRole("switch", { name: "Kalender" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Jetzt synchronisieren" })).toBeTruthy();
  });

  it("renders French for fr-CA, with Canadian number formatting", () => {
    renderIn("fr-CA");
    const card = screen.getByRole("group", { name: "Contact Dana Kim" });
    expect(within(card).getByText("Responsable : Sam Seller")).toBeTruthy();
    expect(within(card).getByText(/— 48\s000,00\s\$\sUS$/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Envoyer au CRM" })).toBeTruthy();
    expect(screen.getByRole("tab", { name: "Synchronisation" })).toBeTruthy();
  });

  it("falls back to English for languages without a catalog and for malformed tags", () => {
    expect(chooseLocale("de-AT")).toBe("de-AT");
    expect(chooseLocale("FR-ca")).toBe("fr-CA");
    expect(chooseLocale("pt-BR")).toBe("en-US");
    expect(chooseLocale("not a tag!")).toBe("en-US");
    expect(chooseLocale(null)).toBe("en-US");
    expect(createI18n("ja-JP").t.send.send).toBe("Send to CRM");
    expect(createI18n("en-GB").format.date("2026-11-30")).toBe("30 Nov 2026");
    expect(createI18n("de-DE").format.amount(12.5, "EURO")).toBe("12,5 EURO");
  });
});
