import { useEffect, useState } from "react";
import { type CardElement, cardPaymentsConfigured, declined, type StripeJs } from "../api/cards";
import {
  allPages,
  api,
  ApiError,
  type Booking,
  type Entitlement,
  type NewBooking,
  type Session,
  type Trainer,
  waitFor,
} from "../api/client";
import { CardForm } from "../components/CardForm";
import { FormError } from "../components/Field";
import { usePagedList } from "../components/usePagedList";
import { dateTime, dayKey, money } from "../format";

type Kind = "" | "in_person" | "live";
const CONFIRM_WAIT_MS = 30_000;

function nextDays(count: number): Date[] {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  return Array.from({ length: count }, (_, i) => new Date(today.getTime() + i * 86_400_000));
}

function entitlementLabel(entitlement: Entitlement): string {
  if (entitlement.kind === "class_pack") return `${entitlement.name} (${entitlement.credits_left} left)`;
  const left = entitlement.classes_left_this_period;
  return left === null || left === undefined ? entitlement.name : `${entitlement.name} (${left} left this period)`;
}

/** Stripe's webhook confirms a paid seat a moment after the card is charged: wait for it. */
const confirmedAfterPayment = (bookingId: string): Promise<Booking | undefined> =>
  waitFor(async () => {
    const booking = await api<Booking>("GET", `/bookings/${bookingId}`);
    return booking.status !== "pending_payment" ? booking : undefined;
  }, CONFIRM_WAIT_MS);

function bookedMessage(booking: NewBooking | Booking): string {
  if (booking.status === "waitlisted") return `On the waitlist, number ${booking.position}.`;
  if (booking.covered_by) return `Booked with your ${booking.covered_by.kind === "membership" ? "membership" : "class pack"} — see My bookings.`;
  return "Booked — see My bookings.";
}

/** Classes by day, kind and trainer; a free class is booked with one click, a paid one with a
 * pack, a membership or a card. */
export function Classes({ timeZone, signedIn }: { timeZone: string | null; signedIn: boolean }) {
  const days = nextDays(7);
  const [day, setDay] = useState(0);
  const [kind, setKind] = useState<Kind>("");
  const [trainer, setTrainer] = useState("");
  const [trainers, setTrainers] = useState<Trainer[]>([]);
  const [wallet, setWallet] = useState<Entitlement[]>([]);
  const [payWith, setPayWith] = useState("auto");
  const [outcome, setOutcome] = useState<Record<string, string>>({});
  const [paying, setPaying] = useState<Record<string, NewBooking>>({});
  const [booked, setBooked] = useState<Record<string, boolean>>({});

  const from = days[day];
  const query = new URLSearchParams({ from: from.toISOString(), to: new Date(from.getTime() + 86_400_000).toISOString(), limit: "20" });
  if (kind) query.set("kind", kind);
  if (trainer) query.set("trainer_id", trainer);
  const { page, error, reload, more } = usePagedList<Session>(`/sessions?${query}`, [day, kind, trainer], { auth: false });

  useEffect(() => {
    allPages<Trainer>("/trainers?limit=100", false).then(setTrainers, () => setTrainers([]));
  }, []);

  const loadWallet = () =>
    api<{ items: Entitlement[] }>("GET", "/me/entitlements").then(
      (found) => setWallet(found.items.filter((e) => e.status === "active")),
      () => setWallet([]),
    );
  useEffect(() => {
    if (signedIn) void loadWallet();
    else setWallet([]);
  }, [signedIn]);

  const say = (session: Session, message: string) => setOutcome((all) => ({ ...all, [session.session_id]: message }));
  const stopPaying = (session: Session) =>
    setPaying(({ [session.session_id]: _done, ...rest }) => rest);

  async function book(session: Session) {
    try {
      const booking = await api<NewBooking>("POST", `/sessions/${session.session_id}/bookings`, { pay_with: payWith });
      setBooked((all) => ({ ...all, [session.session_id]: true }));
      if (booking.status === "pending_payment" && booking.payment?.client_secret) {
        setPaying((all) => ({ ...all, [session.session_id]: booking }));
        say(session, `Seat held for 15 minutes: pay ${money(booking.price_cents, booking.currency)} to confirm it.`);
      } else {
        say(session, bookedMessage(booking));
        if (booking.covered_by) void loadWallet();
      }
      void reload();
    } catch (caught) {
      say(session, (caught as ApiError).message);
    }
  }

  async function payByCard(session: Session, booking: NewBooking, stripe: StripeJs, card: CardElement) {
    const paid = await stripe.confirmCardPayment(booking.payment!.client_secret!, { payment_method: { card } });
    if (paid.error?.type === "validation_error") return declined(paid.error); // fix the card, try again
    stopPaying(session);
    if (paid.error) {
      setBooked((all) => ({ ...all, [session.session_id]: false }));
      say(session, `${declined(paid.error)} Nothing was charged and the seat is released: book again to use another card.`);
      return undefined;
    }
    say(session, "Paid — confirming your seat…");
    const settled = await confirmedAfterPayment(booking.booking_id);
    say(session, settled?.status === "confirmed" ? "Booked and paid — see My bookings." : "Paid: your seat shows in My bookings once Stripe confirms it.");
    void reload();
    return undefined;
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
        <label>
          Trainer{" "}
          <select value={trainer} onChange={(event) => setTrainer(event.target.value)}>
            <option value="">Any</option>
            {trainers.map((each) => (
              <option key={each.trainer_id} value={each.trainer_id}>
                {each.name}
              </option>
            ))}
          </select>
        </label>
        {wallet.length > 0 && (
          <label>
            Pay with{" "}
            <select value={payWith} onChange={(event) => setPayWith(event.target.value)}>
              <option value="auto">Membership or pack first</option>
              <option value="card">Card</option>
              {wallet.map((entitlement) => (
                <option key={entitlement.entitlement_id} value={entitlement.entitlement_id}>
                  {entitlementLabel(entitlement)}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <FormError message={error} />
      {page === null && !error && <p aria-busy="true">Loading classes…</p>}
      {page && page.items.length === 0 && <p>No classes on this day{kind || trainer ? " with these filters" : ""}.</p>}
      <ul className="cards">
        {page?.items.map((session) => {
          const held = paying[session.session_id];
          const paid = session.price_cents > 0;
          return (
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
                {session.waitlist_length > 0 && ` · ${session.waitlist_length} waiting`}
              </p>
              {!signedIn ? (
                <p className="muted">Sign in to book.</p>
              ) : paid && !cardPaymentsConfigured() && wallet.length === 0 ? (
                <p className="muted">Card payments are not set up here: book this class in the FitConnect app.</p>
              ) : (
                !held && (
                  <button
                    type="button"
                    onClick={() => book(session)}
                    disabled={session.status !== "scheduled" || booked[session.session_id]}
                    aria-label={`${session.seats_left > 0 ? "Book" : "Join the waitlist"} ${session.title}`}
                  >
                    {session.seats_left > 0 ? "Book" : "Join the waitlist"}
                  </button>
                )
              )}
              {outcome[session.session_id] && <p role="status">{outcome[session.session_id]}</p>}
              {held && (
                <CardForm
                  submitLabel={`Pay ${money(held.price_cents, held.currency)}`}
                  onCard={(stripe, card) => payByCard(session, held, stripe, card)}
                  onCancel={() => {
                    stopPaying(session);
                    say(session, "Not paid: the seat is held for 15 minutes, then released. Cancel it in My bookings to free it now.");
                  }}
                />
              )}
            </li>
          );
        })}
      </ul>
      {more && (
        <button type="button" onClick={more}>
          More classes
        </button>
      )}
    </section>
  );
}
