// "Sign in with …": the OIDC implicit flow for an ID token (response_type=id_token). The state
// and nonce of the one sign-in under way are kept in sessionStorage for the round trip through
// the provider (they are not credentials: a token never goes there); the state must come back
// unchanged and the nonce be inside the ID token, or the answer is not for this sign-in.
import { clientConfig, signInWithSso, type SsoProvider } from "./client";

const PENDING = "fitconnect.sso";
const BASE = import.meta.env.BASE_URL.replace(/\/$/, "");

interface Pending {
  provider: string;
  state: string;
  nonce: string;
}

export function ssoButtons(): [string, SsoProvider][] {
  return Object.entries(clientConfig().ssoProviders ?? {}).filter(([, provider]) => provider.authorization_endpoint);
}

function random(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function redirectUri(name: string): string {
  return `${window.location.origin}${BASE}/sso/${encodeURIComponent(name)}`;
}

/** Leaves for the provider's sign-in page. */
export function startSso(name: string, provider: SsoProvider): void {
  const pending: Pending = { provider: name, state: random(), nonce: random() };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const query = new URLSearchParams({
    client_id: provider.audience,
    response_type: "id_token",
    scope: "openid email profile",
    redirect_uri: redirectUri(name),
    state: pending.state,
    nonce: pending.nonce,
  });
  window.location.assign(`${provider.authorization_endpoint}?${query}`);
}

function nonceOf(idToken: string): string | undefined {
  try {
    const payload = idToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return (JSON.parse(atob(payload)) as { nonce?: string }).nonce;
  } catch {
    return undefined;
  }
}

/** Back from the provider (`/sso/<name>#id_token=…&state=…`): signs in, or says why not. */
export async function finishSso(name: string, fragment: string): Promise<void> {
  const answer = new URLSearchParams(fragment.replace(/^#/, ""));
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as Pending | null;
  sessionStorage.removeItem(PENDING);
  if (answer.get("error")) throw new Error(`The provider did not sign you in (${answer.get("error")}).`);
  const idToken = answer.get("id_token");
  if (!pending || pending.provider !== name || answer.get("state") !== pending.state || !idToken) {
    throw new Error("This sign-in was not started here: start again from the sign-in page.");
  }
  if (nonceOf(idToken) !== pending.nonce) throw new Error("The provider's answer is not for this sign-in: start again.");
  await signInWithSso(name, idToken);
}
