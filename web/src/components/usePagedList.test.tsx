import { act, renderHook, waitFor as settled } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { configure, reset } from "../api/client";
import { usePagedList } from "./usePagedList";

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

beforeEach(() => {
  reset();
  configure({ apiUrl: "https://api.example" });
});
afterEach(() => vi.unstubAllGlobals());

describe("usePagedList", () => {
  it("appends the next page, and starts again when its filters change", async () => {
    const asked: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      asked.push(url);
      if (url.includes("cursor=c1")) return json({ items: ["b"], next_cursor: null });
      return json({ items: [url.includes("kind=live") ? "live" : "a"], next_cursor: url.includes("kind=live") ? null : "c1" });
    });
    const { result, rerender } = renderHook(({ kind }) => usePagedList<string>(`/sessions?kind=${kind}`, [kind], { auth: false }), {
      initialProps: { kind: "all" },
    });
    await settled(() => expect(result.current.page?.items).toEqual(["a"]));
    await act(() => result.current.more!());
    expect(result.current.page?.items).toEqual(["a", "b"]);
    expect(result.current.more).toBeUndefined(); // the last page
    rerender({ kind: "live" });
    await settled(() => expect(result.current.page?.items).toEqual(["live"]));
    expect(asked).toEqual([
      "https://api.example/sessions?kind=all",
      "https://api.example/sessions?kind=all&cursor=c1",
      "https://api.example/sessions?kind=live",
    ]);
  });
});
