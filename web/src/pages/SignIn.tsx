import { useState } from "react";
import { type ApiError, signIn } from "../api/client";
import { ssoButtons, startSso } from "../api/sso";
import { Field, FormError } from "../components/Field";
import { useSubmit } from "../components/useSubmit";
import { Link } from "../router";

export function SignIn({ onDone }: { onDone: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [needsCode, setNeedsCode] = useState(false);
  const { error, busy, submit } = useSubmit(async () => {
    try {
      await signIn(email, password, needsCode ? code : undefined);
    } catch (refused) {
      if ((refused as ApiError).code === "mfa_required") setNeedsCode(true);
      throw refused;
    }
    onDone();
  });

  return (
    <form className="card narrow" onSubmit={submit} noValidate>
      <h1>Sign in</h1>
      <Field label="E-mail" name="email" type="email" autoComplete="email" value={email} onChange={setEmail} error={error?.forField("email")} required />
      <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={setPassword} error={error?.forField("password")} required />
      {needsCode && (
        <Field label="Code from your authenticator app" name="totp_code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={setCode} error={error?.forField("totp_code")} />
      )}
      <FormError error={error} fields={["email", "password", "totp_code"]} />
      <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      {ssoButtons().map(([name, provider]) => (
        <p key={name}>
          <button type="button" onClick={() => startSso(name, provider)}>
            Sign in with {provider.label ?? name}
          </button>
        </p>
      ))}
      <p>
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </form>
  );
}
