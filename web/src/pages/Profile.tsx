import { useEffect, useState } from "react";
import { api, ApiError, type Me, type Schemas, signOut } from "../api/client";
import { Field, FormError } from "../components/Field";
import { useSubmit } from "../components/useSubmit";
import { navigate } from "../router";

type Preferences = Schemas["NotificationPreferences"];
const ZONES: string[] = Intl.supportedValuesOf("timeZone");

/** The member's profile, reminders, calendar link, data export and account deletion. */
export function Profile({ me, onSaved }: { me: Me; onSaved: () => void }) {
  return (
    <section>
      <h1>Profile</h1>
      <Details me={me} onSaved={onSaved} />
      <Reminders />
      <div className="card">
        <h2>Calendar</h2>
        {me.calendar_url ? (
          <p>
            Subscribe to your bookings from any calendar app: <a href={me.calendar_url}>calendar link</a>
          </p>
        ) : (
          <p>No calendar link yet.</p>
        )}
      </div>
      <YourData />
    </section>
  );
}

function Details({ me, onSaved }: { me: Me; onSaved: () => void }) {
  const [name, setName] = useState(me.name);
  const [zone, setZone] = useState(me.timezone ?? "");
  const [saved, setSaved] = useState(false);
  const { error, submit } = useSubmit(async () => {
    setSaved(false);
    await api("PATCH", "/me", { name, ...(zone ? { timezone: zone } : {}) });
    setSaved(true);
    onSaved();
  });

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="details-heading">
      <h2 id="details-heading">You</h2>
      <Field label="Name" name="name" value={name} onChange={setName} error={error?.forField("name")} />
      <div className="field">
        <label htmlFor="profile-zone">Time zone (times are shown in it)</label>
        <select id="profile-zone" value={zone} onChange={(event) => setZone(event.target.value)}>
          <option value="">This device's</option>
          {ZONES.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </div>
      <FormError error={error} fields={["name", "timezone"]} />
      <button type="submit">Save</button>
      {saved && <p role="status">Saved.</p>}
    </form>
  );
}

function Reminders() {
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    api<Preferences>("GET", "/me/notification-preferences").then(setPreferences, (e) => setLoadError(e as ApiError));
  }, []);

  const { error, submit } = useSubmit(async () => {
    setSaved(false);
    setPreferences(await api<Preferences>("PUT", "/me/notification-preferences", preferences));
    setSaved(true);
  });

  if (!preferences) return <p aria-busy={!loadError}>{loadError ? loadError.message : "Loading your reminders…"}</p>;
  const toggle = (channel: "email" | "sms" | "push" | "weekly_summary", label: string) => (
    <label className="check">
      <input
        type="checkbox"
        checked={preferences[channel]}
        onChange={(event) => setPreferences({ ...preferences, [channel]: event.target.checked })}
      />{" "}
      {label}
    </label>
  );
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="reminders-heading">
      <h2 id="reminders-heading">Reminders</h2>
      {toggle("email", "E-mail")}
      {toggle("sms", "Text message")}
      {toggle("push", "Push notifications")}
      {toggle("weekly_summary", "Weekly training summary")}
      <FormError error={error} fields={[]} />
      <button type="submit">Save reminders</button>
      {saved && <p role="status">Reminders saved.</p>}
    </form>
  );
}

function YourData() {
  const [download, setDownload] = useState<string>();
  const [state, setState] = useState<string>();

  async function exportData() {
    setState("Preparing your data…");
    try {
      const { export_id } = await api<{ export_id: string }>("POST", "/me/export");
      for (let attempt = 0; attempt < 60; attempt += 1) {
        const status = await api<{ status: string; download_url?: string }>("GET", `/me/export/${export_id}`);
        if (status.status === "ready" && status.download_url) {
          setDownload(status.download_url);
          setState(undefined);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      setState("Your data is still being prepared; try again in a minute.");
    } catch (caught) {
      setState((caught as ApiError).message);
    }
  }

  async function deleteAccount() {
    if (!window.confirm("Delete your account and your data? Future bookings are cancelled and refunded.")) return;
    try {
      await api("DELETE", "/me");
      await signOut();
      navigate("/");
    } catch (caught) {
      setState((caught as ApiError).message);
    }
  }

  return (
    <div className="card">
      <h2>Your data</h2>
      <button type="button" onClick={exportData}>
        Export my data
      </button>{" "}
      {download && (
        <a href={download} download="fitconnect-export.json">
          Download your data
        </a>
      )}
      {state && <p role="status">{state}</p>}
      <p>
        <button type="button" className="danger" onClick={deleteAccount}>
          Delete my account
        </button>
      </p>
    </div>
  );
}
