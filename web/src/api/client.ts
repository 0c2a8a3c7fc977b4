// The API as the app uses it: JSON over fetch, the API's error shape as ApiError, and the
// session's tokens kept in memory only (never localStorage: a script injected into the page
// must not find a refresh token to take away). An expired access token is refreshed once, for
// every request waiting on it, and the request retried.
import type { components } from "./schema";

export type Schemas = components["schemas"];
export type Session = Schemas["SessionView"];
export type Booking = Schemas["BookingView"];
export type Me = Schemas["MeView"];
export type NewBooking = Schemas["NewBookingView"];
export type Trainer = Schemas["TrainerView"];
export type Product = Schemas["ProductView"];
export type Purchase = Schemas["PurchaseView"];
export type Activity = Schemas["ActivityView"];
export type LoggedActivity = Schemas["LoggedActivityView"];
export type NewActivity = Schemas["NewActivity"];
export type Insights = Schemas["InsightsView"];
export type Plan = Schemas["PlanView"];
export type PlanRequest = Schemas["PlanRequest"];

export type Entitlement = Schemas["EntitlementView"];
type TokenPair = Schemas["TokenPairView"];

/** A list as the API pages it (API.md: `{items, next_cursor}`). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** `path` asking for the page after `cursor` (the first page without one). */
export function withCursor(path: string, cursor?: string | null): string {
  return cursor ? `${path}${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}` : path;
}

/** Polls `read` until it gives an answer (not undefined) or `timeoutMs` has passed (then undefined):
 * for what the platform settles a moment later (a webhook, an export). */
export async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 500): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const answer = await read();
    if (answer !== undefined) return answer;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return undefined;
}

/** Every item of a paged list, page after page (at most `pages` of them): for a board or a picker
 * that shows the whole of a bounded list (the fleet, the trainers). */
export async function allPages<T>(path: string, auth = true, pages = 10): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < pages; page += 1) {
    const next: Page<T> = await api<Page<T>>("GET", withCursor(path, cursor), undefined, auth);
    items.push(...next.items);
    cursor = next.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** `next` on its own (a first page) or after `previous` (a page asked for with a cursor). */
export function appendPage<T>(previous: Page<T> | null, next: Page<T>, cursor?: string): Page<T> {
  return cursor && previous ? { ...next, items: [...previous.items, ...next.items] } : next;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
  }

  /** The message for one form field (`body.email` and `email` are the same field). */
  forField(name: string): string | undefined {
    return this.details.find((d) => d.field === name || d.field.endsWith(`.${name}`))?.message;
  }
}

interface Tokens {
  access: string;
  refresh: string;
  expiresAt: number; // ms since the epoch
}

/** config.json: where the API is ("" when it is this origin) and Stripe.js's key and URL. */
export interface ClientConfig {
  apiUrl: string;
  stripePublishableKey?: string;
  stripeJsUrl?: string;
  /** The template's SsoProviders: those with an authorization endpoint get a button. */
  ssoProviders?: Record<string, SsoProvider>;
}

export interface SsoProvider {
  audience: string;
  authorization_endpoint?: string;
  label?: string;
}

let config: ClientConfig | null = null;
let tokens: Tokens | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(signedIn: boolean) => void>();

export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setTokens(pair: TokenPair | null, now = Date.now()): void {
  tokens = pair && {
    access: pair.access_token,
    refresh: pair.refresh_token,
    expiresAt: now + pair.expires_in * 1000,
  };
  listeners.forEach((listener) => listener(tokens !== null));
}

export const signedIn = (): boolean => tokens !== null;

/** config.json beside the app. */
export async function loadConfig(fetcher: typeof fetch = fetch): Promise<void> {
  if (config !== null) return;
  const answer = await fetcher(`${import.meta.env.BASE_URL}config.json`);
  config = { apiUrl: "", ...(answer.ok ? ((await answer.json()) as Partial<ClientConfig>) : {}) };
}

export function configure(settings: ClientConfig): void {
  config = settings;
}

export const clientConfig = (): ClientConfig => config ?? { apiUrl: "" };

async function toError(answer: Response): Promise<ApiError> {
  try {
    const { error } = (await answer.json()) as {
      error: { code: string; message: string; details: FieldProblem[] | null };
    };
    return new ApiError(answer.status, error.code, error.message, error.details ?? []);
  } catch {
    return new ApiError(answer.status, "unexpected", `The server answered ${answer.status}.`);
  }
}

async function send(method: string, path: string, body: unknown, auth: boolean): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth && tokens) headers.Authorization = `Bearer ${tokens.access}`;
  return fetch(`${clientConfig().apiUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** One refresh at a time; false when the session is over (spent or revoked refresh token). */
async function refresh(): Promise<boolean> {
  if (!tokens) return false;
  refreshing ??= (async () => {
    const answer = await send("POST", "/auth/refresh", { refresh_token: tokens!.refresh }, false);
    setTokens(answer.ok ? ((await answer.json()) as TokenPair) : null);
    return answer.ok;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** A request with the session's token, refreshed first when about to expire or once when refused. */
async function authorised(method: string, path: string, body: unknown, auth: boolean): Promise<Response> {
  if (auth && tokens && tokens.expiresAt - 30_000 < Date.now()) await refresh();
  let answer = await send(method, path, body, auth);
  if (auth && answer.status === 401 && (await refresh())) answer = await send(method, path, body, auth);
  if (!answer.ok) throw await toError(answer);
  return answer;
}

export async function api<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
  const answer = await authorised(method, path, body, auth);
  return (answer.status === 204 ? undefined : await answer.json()) as T;
}

/** A file the API makes (a CSV report), saved by the browser under `filename`. */
export async function download(path: string, filename: string): Promise<void> {
  const file = await (await authorised("GET", path, undefined, true)).blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(file);
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export async function signIn(email: string, password: string, totpCode?: string): Promise<void> {
  const body = totpCode ? { email, password, totp_code: totpCode } : { email, password };
  setTokens(await api<TokenPair>("POST", "/auth/login", body, false));
}

/** An OIDC provider's ID token, exchanged for our token pair (the account is made on first use). */
export async function signInWithSso(provider: string, idToken: string): Promise<void> {
  setTokens(await api<TokenPair>("POST", `/auth/sso/${encodeURIComponent(provider)}`, { id_token: idToken }, false));
}

export async function signUp(name: string, email: string, password: string): Promise<void> {
  await api("POST", "/auth/register", { name, email, password }, false);
  await signIn(email, password);
}

export async function signOut(): Promise<void> {
  if (tokens) await send("POST", "/auth/logout", { refresh_token: tokens.refresh }, true).catch(() => undefined);
  setTokens(null);
}

/** For tests: forget everything. */
export function reset(): void {
  config = null;
  tokens = null;
  refreshing = null;
  listeners.clear();
}
