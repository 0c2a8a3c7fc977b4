import { renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useLatest } from "./useLatest";

describe("useLatest", () => {
  it("lets only the latest request's answer through", () => {
    const { result } = renderHook(() => useLatest());
    const today = result.current();
    const tomorrow = result.current();
    expect(today()).toBe(false); // answered late: dropped
    expect(tomorrow()).toBe(true);
  });
});
