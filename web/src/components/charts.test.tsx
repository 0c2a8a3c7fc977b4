import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { AcwrBand, BarChart } from "./charts";

afterEach(cleanup);

describe("BarChart", () => {
  it("scales bars to the largest and says every figure in its text alternative", () => {
    const { container } = render(
      <BarChart title="Load" unit="load" bars={[{ label: "W1", value: 50 }, { label: "W2", value: 200 }]} />,
    );
    expect(screen.getByRole("img").getAttribute("aria-label")).toBe("Load. W1: 50 load, W2: 200 load");
    const heights = [...container.querySelectorAll("rect")].map((bar) => Number(bar.getAttribute("height")));
    expect(heights).toEqual([35, 140]);
    expect(screen.queryByText("Nothing in this period yet.")).toBeNull();
  });

  it("says so when the period is empty", () => {
    render(<BarChart title="Load" unit="load" bars={[{ label: "W1", value: 0 }]} />);
    expect(screen.getByText("Nothing in this period yet.")).toBeTruthy();
  });
});

describe("AcwrBand", () => {
  it("names the band the ratio is in and marks it on the scale", () => {
    const { container } = render(<AcwrBand acwr={1.42} status="high" />);
    expect(screen.getByRole("img").getAttribute("aria-label")).toContain("Ratio 1.42: high.");
    const marker = container.querySelector("rect.marker")!;
    expect(Number(marker.getAttribute("x"))).toBeCloseTo((1.42 / 2) * 320 - 2);
  });

  it("explains a missing ratio instead of drawing one", () => {
    const { container } = render(<AcwrBand acwr={null} status="low" />);
    expect(screen.getByText(/needs four weeks of training/)).toBeTruthy();
    expect(container.querySelector("rect.marker")).toBeNull();
  });
});
