import { useEffect, useState } from "react";
import { api, ApiError, appendPage, type Page, type Booking, type Session } from "../api/client";
import { FormError } from "../components/Field";
import { dateTime, dayKey, money } from "../format";

type Kind = "" | "in_person" | "live";

function nextDays(count: number): Date[] {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  return Array.from({ length: count }, (_, i) => new Date(today.getTime() + i * 86_400_000));
}

/** Classes by day and kind, each bookable with one click when free. */
export function Classes({ timeZone, signedIn }: { timeZone: string | null; signedIn: boolean }) {
  const days = nextDays(7);
  const [day, setDay] = useState(0);
  const [kind, setKind] = useState<Kind>("");
  const [page, setPage] = useState<Page<Session> | null>(null);
  const [error, setError] = useState<string>();
  const [outcome, setOutcome] = useState<Record<string, string>>({});

  async function load(cursor?: string) {
    const from = days[day];
    const to = new Date(from.getTime() + 86_400_000);
    const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), limit: "20" });
    if (kind) query.set("kind", kind);
    if (cursor) query.set("cursor", cursor);
    try {
      const next = await api<Page<Session>>("GET", `/sessions?${query}`, undefined, false);
      setPage((previous) => appendPage(previous, next, cursor));
      setError(undefined);
    } catch (caught) {
      setError((caught as ApiError).message);
    }
  }

  useEffect(() => {
    setPage(null);
    void load();
  }, [day, kind]);

  async function book(session: Session) {
    try {
      const booking = await api<Booking>("POST", `/sessions/${session.session_id}/bookings`, {});
      const said =
        booking.status === "confirmed"
          ? "Booked — see My bookings."
          : booking.status === "waitlisted"
            ? `On the waitlist, number ${booking.position}.`
            : "Seat held: pay for it in the FitConnect app within 15 minutes.";
      setOutcome((all) => ({ ...all, [session.session_id]: said }));
      void load();
    } catch (caught) {
      setOutcome((all) => ({ ...all, [session.session_id]: (caught as ApiError).message }));
    }
  }

  return (
    <section>
      <h1>Classes</h1>
      <div className="filters">
        <div role="group" aria-label="Day" className="days">
          {days.map((date, index) => (
            <button key={date.toISOString()} type="button" aria-pressed={index === day} onClick={() => setDay(index)}>
              {new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric" }).format(date)}
            </button>
          ))}
        </div>
        <label>
          Kind{" "}
          <select value={kind} onChange={(event) => setKind(event.target.value as Kind)}>
            <option value="">All</option>
            <option value="in_person">In person</option>
            <option value="live">Live online</option>
          </select>
        </label>
      </div>
      <FormError message={error} />
      {page === null && !error && <p aria-busy="true">Loading classes…</p>}
      {page && page.items.length === 0 && <p>No classes on this day{kind ? " of this kind" : ""}.</p>}
      <ul className="cards">
        {page?.items.map((session) => (
          <li key={session.session_id} className="card" data-testid="session">
            <h2>{session.title}</h2>
            <p>
              <time dateTime={session.starts_at} data-day={dayKey(session.starts_at, timeZone)}>
                {dateTime(session.starts_at, timeZone)}
              </time>{" "}
              · {session.duration_min} min · {session.kind === "live" ? "Live online" : session.location ?? "In person"}
            </p>
            <p>
              {money(session.price_cents, session.currency)} · {session.seats_left} of {session.capacity} seats left
            </p>
            {!signedIn ? (
              <p className="muted">Sign in to book.</p>
            ) : session.price_cents > 0 ? (
              <p className="muted">Paid class: book it in the FitConnect app (card payment in the browser is not here yet).</p>
            ) : (
              <button
                type="button"
                onClick={() => book(session)}
                disabled={session.status !== "scheduled" || session.session_id in outcome}
                aria-label={`Book ${session.title}`}
              >
                {session.seats_left > 0 ? "Book" : "Join the waitlist"}
              </button>
            )}
            {outcome[session.session_id] && <p role="status">{outcome[session.session_id]}</p>}
          </li>
        ))}
      </ul>
      {page?.next_cursor && (
        <button type="button" onClick={() => load(page.next_cursor!)}>
          More classes
        </button>
      )}
    </section>
  );
}
