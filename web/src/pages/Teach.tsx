import { useEffect, useState } from "react";
import { api, ApiError, type Page, type Me, type Schemas, type Session } from "../api/client";
import { BarChart } from "../components/charts";
import { Choice, Field, FormError } from "../components/Field";
import { usePagedList } from "../components/usePagedList";
import { useSubmit } from "../components/useSubmit";
import { amount, DAY_MS, dateTime, instant, isoDay, lastMondays, numeric, weekly } from "../format";

type Place = Schemas["RosterPlace"];
type TrainerReport = Schemas["TrainerReportView"];
const REPORT_WEEKS = 8;

/** A trainer's classes: publish one (or a weekly series), see who is coming, check them in. */
export function Teach({ me }: { me: Me }) {
  const query = new URLSearchParams({ trainer_id: me.user_id, from: new Date().toISOString(), limit: "20" });
  const { page: sessions, error, reload, more } = usePagedList<Session>(`/sessions?${query}`, [me.user_id]);

  return (
    <section>
      <h1>Teach</h1>
      <YourFigures />
      <Publish timeZone={me.timezone} onPublished={reload} />
      <h2>Your upcoming classes</h2>
      <FormError message={error} />
      {sessions === null && !error && <p aria-busy="true">Loading your classes…</p>}
      {sessions && sessions.items.length === 0 && <p>No upcoming classes: publish one above.</p>}
      <ul className="cards">
        {sessions?.items.map((session) => (
          <SessionCard key={session.session_id} session={session} timeZone={me.timezone} onChange={reload} />
        ))}
      </ul>
      {more && (
        <button type="button" onClick={more}>
          More classes
        </button>
      )}
    </section>
  );
}

const CURRENCIES = [
  ["eur", "EUR"],
  ["usd", "USD"],
  ["gbp", "GBP"],
] as const;
const KINDS = [
  ["in_person", "In person"],
  ["live", "Live online (a video meeting is made)"],
] as const;
const PUBLISH_FIELDS = ["title", "starts_at", "duration_min", "capacity", "price_cents", "location", "count"];

function Publish({ timeZone, onPublished }: { timeZone: string | null; onPublished: () => void }) {
  const [form, setForm] = useState({
    title: "",
    startsAt: "",
    duration: "60",
    capacity: "12",
    price: "0",
    currency: "eur",
    kind: "in_person",
    location: "",
    weeks: "1",
  });
  const [done, setDone] = useState<string>();
  const set = (name: keyof typeof form) => (value: string) => setForm((all) => ({ ...all, [name]: value }));

  const { error, submit } = useSubmit(async () => {
    setDone(undefined);
    const weeks = Number(form.weeks);
    const body = {
      title: form.title,
      starts_at: instant(form.startsAt),
      duration_min: numeric(form.duration),
      capacity: numeric(form.capacity),
      price_cents: typeof numeric(form.price) === "number" ? Math.round(Number(form.price) * 100) : form.price,
      currency: form.currency,
      kind: form.kind,
      ...(form.location ? { location: form.location } : {}),
      ...(weeks > 1 ? { recurrence: { freq: "weekly", count: weeks } } : {}),
    };
    await api("POST", "/sessions", body);
    setDone(weeks > 1 ? `Published ${weeks} weekly classes.` : "Published.");
    onPublished();
  });

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="publish-heading">
      <h2 id="publish-heading">Publish a class</h2>
      <Field label="Title" name="title" value={form.title} onChange={set("title")} error={error?.forField("title")} />
      <Field
        label={`Starts (${timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone})`}
        name="starts_at"
        type="datetime-local"
        value={form.startsAt}
        onChange={set("startsAt")}
        error={error?.forField("starts_at")}
      />
      <Field label="Minutes" name="duration_min" inputMode="numeric" value={form.duration} onChange={set("duration")} error={error?.forField("duration_min")} />
      <Field label="Seats" name="capacity" inputMode="numeric" value={form.capacity} onChange={set("capacity")} error={error?.forField("capacity")} />
      <Field label="Price (0 for free)" name="price" inputMode="numeric" value={form.price} onChange={set("price")} error={error?.forField("price_cents")} />
      <Choice label="Currency" value={form.currency} options={CURRENCIES} onChange={set("currency")} />
      <Choice label="Kind" value={form.kind} options={KINDS} onChange={set("kind")} />
      <Field label="Place" name="location" value={form.location} onChange={set("location")} error={error?.forField("location")} />
      <Field label="Weeks (1 for once)" name="weeks" inputMode="numeric" value={form.weeks} onChange={set("weeks")} error={error?.forField("count")} />
      <FormError error={error} fields={PUBLISH_FIELDS} />
      <button type="submit">Publish</button>
      {done && <p role="status">{done}</p>}
    </form>
  );
}

/** The trainer's own last weeks: classes held, fill rate, rating, earnings per week. */
function YourFigures() {
  const [report, setReport] = useState<TrainerReport | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    const to = new Date();
    const from = new Date(to.getTime() - (REPORT_WEEKS * 7 - 1) * DAY_MS);
    api<TrainerReport>("GET", `/trainers/me/report?from=${isoDay(from)}&to=${isoDay(to)}`).then(setReport, (caught: ApiError) =>
      setError(caught.message),
    );
  }, []);
  if (error) return <FormError message={error} />;
  if (!report) return <p aria-busy="true">Loading your figures…</p>;
  const currency = report.currency ?? "eur";
  const rating = report.rating as { average: number | null; count: number };
  const earnings = new Map(report.by_week.map((week) => [String(week.week), Number(week.earnings_cents) / 100]));
  return (
    <section className="card" aria-labelledby="figures-heading" data-testid="trainer-figures">
      <h2 id="figures-heading">Your last {REPORT_WEEKS} weeks</h2>
      <ul className="figures">
        <li>
          <strong>{report.sessions}</strong> classes held
        </li>
        <li>
          <strong>{report.fill_rate === null ? "—" : `${Math.round(report.fill_rate * 100)}%`}</strong> of seats filled
        </li>
        <li>
          <strong>{report.attended}</strong> attended · {report.no_show} missed
        </li>
        <li>
          <strong>{rating.average === null ? "—" : rating.average.toFixed(1)}</strong> rating ({rating.count} reviews)
        </li>
        <li>
          <strong>{amount(report.earnings_cents, currency)}</strong> earned
        </li>
      </ul>
      <BarChart title={`Earnings per week (${currency.toUpperCase()})`} bars={weekly(lastMondays(REPORT_WEEKS), earnings)} unit={currency.toUpperCase()} />
    </section>
  );
}

const EDIT_FIELDS = ["title", "duration_min", "capacity", "location", "cancellation_window_min"];

/** What a trainer may change of a published class (its time and price are what members booked). */
function EditSession({ session, onSaved, onClose }: { session: Session; onSaved: () => void; onClose: () => void }) {
  const [form, setForm] = useState({
    title: session.title,
    duration: String(session.duration_min),
    capacity: String(session.capacity),
    location: session.location ?? "",
    window: String(session.cancellation_window_min),
  });
  const set = (name: keyof typeof form) => (value: string) => setForm((all) => ({ ...all, [name]: value }));
  const { error, busy, submit } = useSubmit(async () => {
    await api("PATCH", `/sessions/${session.session_id}`, {
      title: form.title,
      duration_min: numeric(form.duration),
      capacity: numeric(form.capacity),
      cancellation_window_min: numeric(form.window),
      ...(form.location ? { location: form.location } : {}),
    });
    onSaved();
  });
  return (
    <form onSubmit={submit} noValidate aria-label={`Edit ${session.title}`}>
      <Field label="Title" name="title" value={form.title} onChange={set("title")} error={error?.forField("title")} />
      <Field label="Minutes" name="duration_min" inputMode="numeric" value={form.duration} onChange={set("duration")} error={error?.forField("duration_min")} />
      <Field label="Seats" name="capacity" inputMode="numeric" value={form.capacity} onChange={set("capacity")} error={error?.forField("capacity")} />
      <Field label="Place" name="location" value={form.location} onChange={set("location")} error={error?.forField("location")} />
      <Field
        label="Free cancellation until (minutes before)"
        name="cancellation_window_min"
        inputMode="numeric"
        value={form.window}
        onChange={set("window")}
        error={error?.forField("cancellation_window_min")}
      />
      <FormError error={error} fields={EDIT_FIELDS} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Save changes
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

function SessionCard({ session, timeZone, onChange }: { session: Session; timeZone: string | null; onChange: () => void }) {
  const [roster, setRoster] = useState<Place[] | null>(null);
  const [notice, setNotice] = useState<string>();
  const [editing, setEditing] = useState(false);

  async function showRoster() {
    try {
      setRoster((await api<Page<Place>>("GET", `/sessions/${session.session_id}/bookings?limit=100`)).items);
    } catch (caught) {
      setNotice((caught as ApiError).message);
    }
  }

  async function checkIn(place: Place) {
    try {
      await api("POST", `/bookings/${place.booking_id}/check-in`);
      await showRoster();
    } catch (caught) {
      setNotice((caught as ApiError).message);
    }
  }

  async function cancelClass() {
    if (!window.confirm(`Cancel ${session.title}? Everyone booked is refunded and told.`)) return;
    try {
      await api("DELETE", `/sessions/${session.session_id}`);
      onChange();
    } catch (caught) {
      setNotice((caught as ApiError).message);
    }
  }

  const seated = roster?.filter((p) => p.status !== "cancelled" && p.status !== "expired") ?? [];
  return (
    <li className="card" data-testid="teach-session">
      <h3>{session.title}</h3>
      <p>
        {dateTime(session.starts_at, timeZone)} · {session.capacity - session.seats_left} of {session.capacity} booked
        {session.waitlist_length ? ` · ${session.waitlist_length} waiting` : ""}
      </p>
      <button type="button" onClick={showRoster} aria-label={`Roster of ${session.title}`}>
        Roster
      </button>{" "}
      <button type="button" onClick={() => setEditing(true)} aria-label={`Edit ${session.title}`}>
        Edit
      </button>{" "}
      <button type="button" onClick={cancelClass} aria-label={`Cancel class ${session.title}`}>
        Cancel class
      </button>
      {editing && (
        <EditSession
          session={session}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setNotice("Changes saved: booked members see them.");
            onChange();
          }}
        />
      )}
      {roster && (
        <ol className="roster">
          {seated.length === 0 && <li>Nobody yet.</li>}
          {seated.map((place) => (
            <li key={place.booking_id} data-testid="roster-place">
              {place.name ?? `Member ${place.user_id.slice(-6)}`} — {place.status}
              {place.status === "confirmed" && (
                <button type="button" onClick={() => checkIn(place)} aria-label={`Check in ${place.name ?? place.user_id}`}>
                  Check in
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {notice && <p role="status">{notice}</p>}
    </li>
  );
}
