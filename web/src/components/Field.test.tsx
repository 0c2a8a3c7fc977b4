import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { Field } from "./Field";

afterEach(cleanup);

describe("Field", () => {
  it("is labelled, and the API's message for it is tied to it and announced", () => {
    render(<Field label="E-mail" name="email" value="x" onChange={() => undefined} error="is not an e-mail address" />);
    const input = screen.getByLabelText("E-mail");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const message = screen.getByRole("alert");
    expect(message.textContent).toBe("is not an e-mail address");
    expect(input.getAttribute("aria-describedby")).toBe(message.id);
  });

  it("says nothing when the field is fine", () => {
    render(<Field label="Name" name="name" value="" onChange={() => undefined} />);
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
