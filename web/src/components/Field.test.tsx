import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { fireEvent } from "@testing-library/react";
import { Choice, Field, FormError } from "./Field";

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

describe("FormError", () => {
  it("shows what no field of the form shows, and nothing twice", () => {
    const error = new ApiError(400, "validation_failed", "Some fields are not valid.", [
      { field: "body.title", message: "is required" },
      { field: "body", message: "an in_person session needs a location" },
    ]);
    render(<FormError error={error} fields={["title"]} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("needs a location");
    expect(alert.textContent).not.toContain("is required");
  });

  it("is silent when every problem sits beside its field", () => {
    const error = new ApiError(400, "validation_failed", "Some fields are not valid.", [
      { field: "body.title", message: "is required" },
    ]);
    render(<FormError error={error} fields={["title"]} />);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("Choice", () => {
  it("is labelled, shows each option's text and gives back the value chosen", () => {
    const chosen: string[] = [];
    render(<Choice label="Kind" value="run" options={[["run", "run"], ["strength", "strength training"]]} onChange={(v) => chosen.push(v)} />);
    const select = screen.getByLabelText("Kind") as HTMLSelectElement;
    expect([...select.options].map((o) => o.text)).toEqual(["run", "strength training"]);
    fireEvent.change(select, { target: { value: "strength" } });
    expect(chosen).toEqual(["strength"]);
  });
});
