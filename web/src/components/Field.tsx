import type { ApiError } from "../api/client";
import { useId } from "react";

interface FieldProps {
  label: string;
  name: string;
  type?: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  autoComplete?: string;
  required?: boolean;
  inputMode?: "numeric" | "text" | "email";
}

/** A labelled input with the API's message for this field under it (announced to screen readers). */
export function Field({ label, name, type = "text", value, onChange, error, ...rest }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        {...rest}
      />
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A labelled choice among `options` ([value, text] pairs), laid out as a Field. */
export function Choice<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (value: T) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as T)}>
        {options.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The form's own error: a message (a 409, a network failure), or an API error with what no
 * field of the form shows (a rule across fields, a field the form does not have). */
export function FormError({ message, error, fields = [] }: { message?: string; error?: ApiError | null; fields?: string[] }) {
  const unclaimed = error?.details.filter((d) => !fields.some((f) => d.field === f || d.field.endsWith(`.${f}`))) ?? [];
  const text = message ?? (error && (!error.details.length || unclaimed.length) ? error.message : undefined);
  if (!text) return null;
  return (
    <div className="form-error" role="alert">
      <p>{text}</p>
      {unclaimed.length > 0 && (
        <ul>
          {unclaimed.map((d) => (
            <li key={d.field + d.message}>{d.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
