import { useEffect, useState } from "react";
import { api, type ApiError, appendPage, type Page, withCursor } from "../api/client";
import { useLatest } from "./useLatest";

interface Options<T> {
  auth?: boolean;
  /** Runs with each page read (what the list needs beside its items). */
  onPage?: (page: Page<T>) => Promise<void> | void;
}

/** A list the API pages (`{items, next_cursor}`) from `path` (its filters in the query): read from
 * the start again when `deps` change, only the latest answer shown, `more` appending the next page. */
export function usePagedList<T>(path: string, deps: readonly unknown[], { auth = true, onPage }: Options<T> = {}) {
  const [page, setPage] = useState<Page<T> | null>(null);
  const [error, setError] = useState<string>();
  const request = useLatest();

  async function load(cursor?: string) {
    const current = request();
    try {
      const next = await api<Page<T>>("GET", withCursor(path, cursor), undefined, auth);
      if (!current()) return;
      setPage((previous) => appendPage(previous, next, cursor));
      setError(undefined);
      await onPage?.(next);
    } catch (caught) {
      setError((caught as ApiError).message);
    }
  }

  useEffect(() => {
    setPage(null);
    void load();
  }, deps);

  const cursor = page?.next_cursor;
  return { page, setPage, error, reload: () => load(), more: cursor ? () => load(cursor) : undefined };
}
