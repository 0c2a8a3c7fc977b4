import { describe, expect, it } from "vitest";
import { amount, instant, lastMondays, money, numeric, weekly } from "./format";

describe("form values", () => {
  it("sends numbers as numbers and anything else as typed, for the API to name the field", () => {
    expect(numeric("12")).toBe(12);
    expect(numeric(" 2.5 ")).toBe(2.5);
    expect(numeric("twelve")).toBe("twelve");
    expect(numeric("")).toBe("");
  });

  it("turns the browser's wall time into an instant, and leaves no-time as typed", () => {
    expect(instant("2026-12-07T10:30")).toBe(new Date(2026, 11, 7, 10, 30).toISOString());
    expect(instant("")).toBe("");
    expect(instant("tomorrow")).toBe("tomorrow");
  });
});

describe("weeks", () => {
  it("lists the last Mondays, oldest first, this week's last", () => {
    const sunday = new Date(Date.UTC(2026, 11, 6, 15));
    expect(lastMondays(3, sunday)).toEqual(["2026-11-16", "2026-11-23", "2026-11-30"]);
    const monday = new Date(Date.UTC(2026, 11, 7, 0, 30));
    expect(lastMondays(1, monday)).toEqual(["2026-12-07"]);
  });

  it("gives a quiet week a bar of nothing", () => {
    const bars = weekly(["2026-11-23", "2026-11-30"], new Map([["2026-11-30", 42]]));
    expect(bars).toEqual([
      { label: "11-23", value: 0 },
      { label: "11-30", value: 42 },
    ]);
  });
});

describe("money", () => {
  it("calls a price of nothing free, but a sum of nothing zero", () => {
    expect(money(0, "eur")).toBe("Free");
    expect(amount(0, "eur")).toMatch(/0[.,]00/);
    expect(money(1500, "eur")).toBe(amount(1500, "eur"));
  });
});
