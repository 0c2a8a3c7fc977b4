import { useEffect, useState } from "react";
import { api, onSessionChange, type Me, signedIn as isSignedIn, signOut } from "./api/client";
import { Admin } from "./pages/Admin";
import { Classes } from "./pages/Classes";
import { MyBookings } from "./pages/MyBookings";
import { Passes } from "./pages/Passes";
import { Training } from "./pages/Training";
import { Profile } from "./pages/Profile";
import { SignIn } from "./pages/SignIn";
import { SignUp } from "./pages/SignUp";
import { SsoReturn } from "./pages/SsoReturn";
import { Teach } from "./pages/Teach";
import { Link, navigate, usePath } from "./router";

export function App() {
  const path = usePath();
  const [signedIn, setSignedIn] = useState(isSignedIn());
  const [me, setMe] = useState<Me | null>(null);

  useEffect(() => onSessionChange(setSignedIn), []);
  const loadMe = () => api<Me>("GET", "/me").then(setMe, () => setMe(null));
  useEffect(() => {
    if (!signedIn) return setMe(null);
    void loadMe();
  }, [signedIn]);

  // The member's own zone, else the browser's.
  const timeZone = me?.timezone ?? null;
  const needsSignIn = !signedIn && ["/bookings", "/passes", "/training", "/teach", "/admin", "/profile"].includes(path);
  const teaches = me?.role === "trainer" || me?.role === "admin";

  let screen;
  if (path.startsWith("/sso/")) screen = <SsoReturn provider={decodeURIComponent(path.slice(5))} onDone={() => navigate("/")} />;
  else if (path === "/signin" || needsSignIn) screen = <SignIn onDone={() => navigate(needsSignIn ? path : "/")} />;
  else if (path === "/signup") screen = <SignUp onDone={() => navigate("/")} />;
  else if (path === "/bookings") screen = <MyBookings timeZone={timeZone} />;
  else if (path === "/passes") screen = <Passes />;
  else if (path === "/training") screen = <Training timeZone={timeZone} />;
  else if (path === "/teach" && me && teaches) screen = <Teach me={me} />;
  else if (path === "/profile" && me) screen = <Profile key={me.user_id} me={me} onSaved={loadMe} />;
  else if (path === "/admin" && me?.role === "admin") screen = <Admin timeZone={timeZone} />;
  else if (["/teach", "/admin", "/profile"].includes(path) && !me) screen = <p aria-busy="true">Loading…</p>;
  else screen = <Classes timeZone={timeZone} signedIn={signedIn} />;

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <nav aria-label="Main">
          <strong className="brand">FitConnect</strong>
          <Link to="/">Classes</Link>
          {signedIn && <Link to="/bookings">My bookings</Link>}
          {signedIn && <Link to="/training">Training</Link>}
          {signedIn && <Link to="/passes">Passes</Link>}
          {teaches && <Link to="/teach">Teach</Link>}
          {me?.role === "admin" && <Link to="/admin">Admin</Link>}
          <span className="spacer" />
          {signedIn ? (
            <>
              <Link to="/profile">{me?.name ?? "Profile"}</Link>
              <button type="button" onClick={() => signOut().then(() => navigate("/"))}>
                Sign out
              </button>
            </>
          ) : (
            <Link to="/signin">Sign in</Link>
          )}
        </nav>
      </header>
      <main id="main">{screen}</main>
    </>
  );
}
