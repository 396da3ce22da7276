/** Hash routing (`#/dashboard`): works under any base path and inside a Zoho CRM Web Tab iframe. */
import { useCallback, useEffect, useState } from "react";

export const pages = ["setup", "settings", "users", "dashboard", "meetings", "account"] as const;
export type Page = (typeof pages)[number];

export function pageFromHash(hash: string): Page | null {
  const name = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return pages.find((page) => page === name) ?? null;
}

export function useHashPage(fallback: Page): [Page, (page: Page) => void] {
  const [page, setPage] = useState<Page>(() => pageFromHash(window.location.hash) ?? fallback);
  useEffect(() => {
    const onChange = () => setPage(pageFromHash(window.location.hash) ?? fallback);
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, [fallback]);
  const navigate = useCallback((next: Page) => {
    window.location.hash = `#/${next}`;
    setPage(next);
  }, []);
  return [page, navigate];
}
