import { useEffect, useState } from "react";
import { api, ApiError, type Me, type Schemas, signOut, waitFor } from "../api/client";
import { Choice, Field, FormError } from "../components/Field";
import { useSubmit } from "../components/useSubmit";
import { navigate } from "../router";

type Preferences = Schemas["NotificationPreferences"];
const ZONE_CHOICES: [string, string][] = [["", "This device's"], ...Intl.supportedValuesOf("timeZone").map((z): [string, string] => [z, z])];
const LEADS: [number, string][] = [
  [1440, "A day before"],
  [120, "Two hours before"],
  [60, "An hour before"],
  [15, "15 minutes before"],
];

/** The member's profile, reminders, calendar link, data export and account deletion. */
export function Profile({ me, onSaved }: { me: Me; onSaved: () => void }) {
  return (
    <section>
      <h1>Profile</h1>
      <Picture me={me} onSaved={onSaved} />
      <Details me={me} onSaved={onSaved} />
      <Reminders />
      <TwoStep me={me} onSaved={onSaved} />
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
  const [phone, setPhone] = useState(me.phone ?? "");
  const [saved, setSaved] = useState(false);
  const { error, submit } = useSubmit(async () => {
    setSaved(false);
    await api("PATCH", "/me", { name, ...(zone ? { timezone: zone } : {}), ...(phone.trim() ? { phone: phone.trim() } : {}) });
    setSaved(true);
    onSaved();
  });

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="details-heading">
      <h2 id="details-heading">You</h2>
      <Field label="Name" name="name" value={name} onChange={setName} error={error?.forField("name")} />
      <Choice label="Time zone (times are shown in it)" value={zone} options={ZONE_CHOICES} onChange={setZone} />
      <Field
        label="Mobile number for text reminders (+ and country code)"
        name="phone"
        type="tel"
        autoComplete="tel"
        value={phone}
        onChange={setPhone}
        error={error?.forField("phone")}
      />
      <FormError error={error} fields={["name", "timezone", "phone"]} />
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
      <fieldset>
        <legend>Remind me before a class</legend>
        {LEADS.map(([minutes, label]) => (
          <label className="check" key={minutes}>
            <input
              type="checkbox"
              checked={(preferences.reminder_leads_min ?? []).includes(minutes)}
              onChange={(event) => {
                const others = (preferences.reminder_leads_min ?? []).filter((lead) => lead !== minutes);
                const leads = event.target.checked ? [...others, minutes] : others;
                setPreferences({ ...preferences, reminder_leads_min: leads.sort((a, b) => b - a) });
              }}
            />{" "}
            {label}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Quiet hours (nothing is sent then; reminders wait until they end)</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={Boolean(preferences.quiet_hours)}
            onChange={(event) =>
              setPreferences({ ...preferences, quiet_hours: event.target.checked ? { start: "22:00", end: "07:00" } : null })
            }
          />{" "}
          Keep quiet hours
        </label>
        {preferences.quiet_hours && (
          <div className="actions">
            <Field
              label="From"
              name="quiet_start"
              type="time"
              value={preferences.quiet_hours.start}
              onChange={(start) => setPreferences({ ...preferences, quiet_hours: { ...preferences.quiet_hours!, start } })}
              error={error?.forField("quiet_hours.start") ?? error?.forField("start")}
            />
            <Field
              label="Until"
              name="quiet_end"
              type="time"
              value={preferences.quiet_hours.end}
              onChange={(end) => setPreferences({ ...preferences, quiet_hours: { ...preferences.quiet_hours!, end } })}
              error={error?.forField("quiet_hours.end") ?? error?.forField("end")}
            />
          </div>
        )}
      </fieldset>
      <FormError error={error} fields={["start", "end"]} />
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
      const ready = await waitFor(async () => {
        const status = await api<{ status: string; download_url?: string }>("GET", `/me/export/${export_id}`);
        return status.status === "ready" ? status.download_url : undefined;
      }, 60_000, 1000);
      if (ready) {
        setDownload(ready);
        setState(undefined);
      } else {
        setState("Your data is still being prepared; try again in a minute.");
      }
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

/** Two-step sign-in (TOTP): a QR code for the authenticator app, then its first code turns it on. */
function TwoStep({ me, onSaved }: { me: Me; onSaved: () => void }) {
  const [setup, setSetup] = useState<{ secret: string; otpauth_uri: string; qr: string } | null>(null);
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<string>();
  const { error, busy, submit } = useSubmit(async () => {
    await api("POST", "/auth/mfa/verify", { code: code.trim() });
    setSetup(null);
    onSaved();
  });

  async function start() {
    setProblem(undefined);
    try {
      const made = await api<Schemas["MfaSetupView"]>("POST", "/auth/mfa/setup");
      // Drawn here, into a data: image: the secret never leaves the page for a QR service. The
      // encoder is its own chunk, loaded by the few who set this up.
      const { toDataURL } = await import("qrcode");
      setSetup({ ...made, qr: await toDataURL(made.otpauth_uri, { margin: 1, width: 200 }) });
    } catch (caught) {
      setProblem((caught as ApiError).message);
    }
  }

  return (
    <div className="card">
      <h2>Two-step sign-in</h2>
      {me.mfa_enabled ? (
        <p role="status">On: signing in asks for a code from your authenticator app.</p>
      ) : setup ? (
        <form onSubmit={submit} noValidate aria-label="Turn on two-step sign-in">
          <p>Scan this with your authenticator app, or type the key into it, then enter the code it shows.</p>
          <img src={setup.qr} alt="QR code of your two-step sign-in key" width={200} height={200} />
          <p>
            Key: <code data-testid="totp-secret">{setup.secret}</code>
          </p>
          <Field label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={setCode} error={error?.forField("code")} />
          <FormError error={error} fields={["code"]} />
          <button type="submit" disabled={busy}>
            Turn on
          </button>
        </form>
      ) : (
        <>
          <p>Off: a password alone signs you in.</p>
          <button type="button" onClick={start}>
            Set up two-step sign-in
          </button>
          <FormError message={problem} />
        </>
      )}
    </div>
  );
}

const PICTURE_TYPES = ["image/jpeg", "image/png", "image/webp"];
const PICTURE_MAX_BYTES = 5 * 1024 * 1024;

/** The member's picture: S3 takes the file straight from the browser, with the form the API signed
 * (its policy holds the type and the size, so S3 refuses any other file). */
function Picture({ me, onSaved }: { me: Me; onSaved: () => void }) {
  const [state, setState] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function upload(file: File) {
    if (!PICTURE_TYPES.includes(file.type)) return setState("Choose a JPEG, PNG or WebP picture.");
    if (file.size > PICTURE_MAX_BYTES) return setState("Choose a picture of 5 MB or less.");
    setBusy(true);
    setState("Uploading…");
    try {
      const signed = await api<{ upload_form: { url: string; fields: Record<string, string> } }>("POST", "/me/avatar", {
        content_type: file.type,
        content_length: file.size,
      });
      const form = new FormData();
      Object.entries(signed.upload_form.fields).forEach(([name, value]) => form.append(name, value));
      form.append("file", file); // last: S3 reads the fields before the file
      const stored = await fetch(signed.upload_form.url, { method: "POST", body: form });
      setState(stored.ok ? "Picture saved." : "S3 did not take the picture; try another file.");
      if (stored.ok) onSaved();
    } catch (caught) {
      setState((caught as ApiError).message ?? "The upload failed; try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card picture">
      <h2>Picture</h2>
      {me.avatar_url ? <img src={me.avatar_url} alt="Your picture" width={96} height={96} /> : <p>No picture yet.</p>}
      <div className="field">
        <label htmlFor="picture-file">Choose a picture (JPEG, PNG or WebP, up to 5 MB)</label>
        <input
          id="picture-file"
          type="file"
          accept={PICTURE_TYPES.join(",")}
          disabled={busy}
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void upload(file);
          }}
        />
      </div>
      {state && <p role="status">{state}</p>}
    </div>
  );
}
