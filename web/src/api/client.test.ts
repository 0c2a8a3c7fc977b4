import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { allPages, api, ApiError, configure, reset, signIn, signedIn, waitFor } from "./client";

type Handler = (url: string, init: RequestInit) => Response;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function serve(handler: Handler) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return handler(url, init);
  });
  return calls;
}

async function refusal(pending: Promise<unknown>): Promise<ApiError> {
  try {
    await pending;
  } catch (caught) {
    return caught as ApiError;
  }
  throw new Error("the call was expected to be refused");
}

const pair = (access: string, refresh: string, expiresIn = 900) => ({
  access_token: access,
  refresh_token: refresh,
  token_type: "Bearer",
  expires_in: expiresIn,
});

beforeEach(() => {
  reset();
  configure({ apiUrl: "https://api.example" });
});
afterEach(() => vi.unstubAllGlobals());

describe("errors", () => {
  it("carries the API's code, message and each field's message", async () => {
    serve(() =>
      json(400, {
        error: {
          code: "validation_failed",
          message: "Some fields are not valid.",
          details: [{ field: "body.password", in: "body", message: "must be 10 characters or more" }],
        },
      }),
    );
    const refused = await refusal(api("POST", "/auth/register", { password: "short" }, false));
    expect(refused).toBeInstanceOf(ApiError);
    expect([refused.status, refused.code]).toEqual([400, "validation_failed"]);
    expect(refused.forField("password")).toBe("must be 10 characters or more");
    expect(refused.forField("email")).toBeUndefined();
  });
});

describe("the session", () => {
  it("refreshes an expired access token once for requests waiting together, then retries them", async () => {
    let refreshes = 0;
    const calls = serve((url, init) => {
      if (url.endsWith("/auth/login")) return json(200, pair("old", "r1", -60)); // already expired
      if (url.endsWith("/auth/refresh")) {
        refreshes += 1;
        expect(JSON.parse(String(init.body))).toEqual({ refresh_token: "r1" });
        return json(200, pair("new", "r2"));
      }
      const auth = (init.headers as Record<string, string>).Authorization;
      return auth === "Bearer new" ? json(200, { ok: true }) : json(401, { error: { code: "invalid_token", message: "", details: null } });
    });
    await signIn("m@example.com", "a long enough password");
    const answers = await Promise.all([api("GET", "/me"), api("GET", "/me/bookings")]);
    expect(answers).toEqual([{ ok: true }, { ok: true }]);
    expect(refreshes).toBe(1);
    expect(calls.filter((c) => c.url.endsWith("/me")).length).toBe(1); // sent once, with the new token
  });

  it("ends when the refresh token is refused, and the caller sees the 401", async () => {
    serve((url) => {
      if (url.endsWith("/auth/login")) return json(200, pair("a1", "r1"));
      return json(401, { error: { code: "invalid_refresh_token", message: "Sign in again.", details: null } });
    });
    await signIn("m@example.com", "a long enough password");
    const refused = await refusal(api("GET", "/me"));
    expect(refused.status).toBe(401);
    expect(signedIn()).toBe(false);
  });

  it("keeps tokens out of web storage", async () => {
    serve(() => json(200, pair("a1", "r1")));
    await signIn("m@example.com", "a long enough password");
    expect(JSON.stringify({ ...localStorage })).not.toContain("r1");
    expect(JSON.stringify({ ...sessionStorage })).not.toContain("r1");
    expect(document.cookie).not.toContain("r1");
  });
});

describe("paged lists", () => {
  it("reads every page by its cursor, and stops at the last", async () => {
    const calls = serve((url) =>
      url.includes("cursor=c2")
        ? json(200, { items: [3], next_cursor: null })
        : url.includes("cursor=c1")
          ? json(200, { items: [2], next_cursor: "c2" })
          : json(200, { items: [1], next_cursor: "c1" }),
    );
    expect(await allPages<number>("/equipment?limit=1")).toEqual([1, 2, 3]);
    expect(calls.map((call) => call.url)).toEqual([
      "https://api.example/equipment?limit=1",
      "https://api.example/equipment?limit=1&cursor=c1",
      "https://api.example/equipment?limit=1&cursor=c2",
    ]);
  });

  it("reads no more than the pages it is allowed", async () => {
    const calls = serve(() => json(200, { items: [0], next_cursor: "again" }));
    expect(await allPages<number>("/trainers", false, 3)).toEqual([0, 0, 0]);
    expect(calls).toHaveLength(3);
  });
});

describe("waiting for what settles later", () => {
  it("answers as soon as the read gives something, and gives up at the deadline", async () => {
    let reads = 0;
    expect(await waitFor(async () => (++reads === 3 ? "ready" : undefined), 1_000, 1)).toBe("ready");
    expect(reads).toBe(3);
    expect(await waitFor(async () => undefined, 20, 5)).toBeUndefined();
  });
});
