import { type FormEvent, useState } from "react";
import type { ApiError } from "../api/client";

/** A form's submit: `action` runs once per submit, and what the API refused is kept for the
 * fields and the form to show (cleared on the next try). */
export function useSubmit(action: () => Promise<void>) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return { error, busy, submit };
}
