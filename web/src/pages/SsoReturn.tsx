import { useEffect, useRef, useState } from "react";
import { type ApiError } from "../api/client";
import { finishSso } from "../api/sso";
import { Link } from "../router";

/** Where a provider sends the browser back: the ID token is exchanged, and the fragment forgotten. */
export function SsoReturn({ provider, onDone }: { provider: string; onDone: () => void }) {
  const [problem, setProblem] = useState<string>();
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // once: the fragment is read and then forgotten
    started.current = true;
    const fragment = window.location.hash;
    window.history.replaceState(null, "", window.location.pathname); // the token leaves the address bar
    finishSso(provider, fragment).then(onDone, (failure: Error | ApiError) => setProblem(failure.message));
  }, []);
  return (
    <section className="card narrow">
      <h1>Signing you in</h1>
      {problem ? (
        <>
          <p role="alert">{problem}</p>
          <Link to="/signin">Back to sign in</Link>
        </>
      ) : (
        <p aria-busy="true">One moment…</p>
      )}
    </section>
  );
}
