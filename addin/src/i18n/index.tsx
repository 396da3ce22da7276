/**
 * The task pane's language: Office's display language (`Office.context.displayLanguage`, an RFC 4646 tag such as
 * "de-AT", Mailbox 1.1) picks the string catalog by its language part, falling back to English; dates, numbers and
 * currencies are formatted by Intl for the full tag, so "de-CH" gets Swiss number formatting with German words.
 */
import { createContext, type ReactNode, useContext, useMemo } from "react";
import { de } from "./de.js";
import { en, type Messages } from "./en.js";
import { fr } from "./fr.js";

export type { Messages };

const CATALOGS: Record<string, Messages> = { en, de, fr };
const DEFAULT_LOCALE = "en-US";

/** The Intl locale to format with: the display language when its catalog exists and Intl knows it, else en-US. */
export function chooseLocale(displayLanguage: string | null | undefined): string {
  if (!displayLanguage) return DEFAULT_LOCALE;
  try {
    const [canonical] = Intl.getCanonicalLocales(displayLanguage);
    const language = canonical ? new Intl.Locale(canonical).language : "";
    return canonical && language in CATALOGS ? canonical : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

export type Formatters = {
  /** ISO date-time → local date and time, e.g. "25.11.2026, 10:00" (de-DE). */
  dateTime(iso: string): string;
  /** ISO calendar date (no zone) → the same calendar day, e.g. "30 nov. 2026" (fr-FR). */
  date(isoDate: string): string;
  number(value: number): string;
  /** An amount in an ISO 4217 currency, or a plain number when the currency is unknown. */
  amount(value: number, currency: string | null): string;
  /** "A and B" / "A und B" / "A et B". */
  list(items: string[]): string;
};

export type I18n = { locale: string; t: Messages; format: Formatters };

export function createI18n(displayLanguage: string | null | undefined): I18n {
  const locale = chooseLocale(displayLanguage);
  const t = CATALOGS[new Intl.Locale(locale).language] ?? en;
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  // A calendar date means that day wherever the user is: format it in UTC, where it was parsed.
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
  const list = new Intl.ListFormat(locale, { style: "long", type: "conjunction" });
  return {
    locale,
    t,
    format: {
      dateTime: (iso) => dateTime.format(new Date(iso)),
      date: (isoDate) => date.format(new Date(`${isoDate}T00:00:00Z`)),
      number: (value) => new Intl.NumberFormat(locale).format(value),
      amount: (value, currency) => {
        try {
          return new Intl.NumberFormat(locale, currency ? { style: "currency", currency } : {}).format(value);
        } catch {
          // Not an ISO 4217 code Intl knows: the number, then the code as the CRM spelt it.
          return `${new Intl.NumberFormat(locale).format(value)} ${currency}`;
        }
      },
      list: (items) => list.format(items),
    },
  };
}

const I18nContext = createContext<I18n>(createI18n(DEFAULT_LOCALE));

export function I18nProvider({ displayLanguage, children }: { displayLanguage: string | null; children: ReactNode }) {
  const i18n = useMemo(() => createI18n(displayLanguage), [displayLanguage]);
  return <I18nContext.Provider value={i18n}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
