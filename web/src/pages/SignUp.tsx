import { useState } from "react";
import { signUp } from "../api/client";
import { Field, FormError } from "../components/Field";
import { useSubmit } from "../components/useSubmit";
import { Link } from "../router";

export function SignUp({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { error, busy, submit } = useSubmit(async () => {
    await signUp(name, email, password);
    onDone();
  });

  return (
    <form className="card narrow" onSubmit={submit} noValidate>
      <h1>Create your account</h1>
      <Field label="Name" name="name" autoComplete="name" value={name} onChange={setName} error={error?.forField("name")} required />
      <Field label="E-mail" name="email" type="email" autoComplete="email" value={email} onChange={setEmail} error={error?.forField("email")} required />
      <Field label="Password (10 characters or more)" name="password" type="password" autoComplete="new-password" value={password} onChange={setPassword} error={error?.forField("password")} required />
      <FormError error={error} fields={["name", "email", "password"]} />
      <button type="submit" disabled={busy}>{busy ? "Creating…" : "Create account"}</button>
      <p>
        Have an account? <Link to="/signin">Sign in</Link>
      </p>
    </form>
  );
}
