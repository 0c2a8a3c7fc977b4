import { useState } from "react";
import { api, ApiError, type Booking, type Session } from "../api/client";
import { FormError } from "../components/Field";
import { usePagedList } from "../components/usePagedList";
import { dateTime, money } from "../format";

const LABEL: Record<string, string> = {
  confirmed: "Confirmed",
  pending_payment: "Awaiting payment",
  waitlisted: "On the waitlist",
  cancelled: "Cancelled",
  expired: "Expired",
  attended: "Attended",
  no_show: "Missed",
};

/** The member's bookings with their class, cancellable while they stand; the refund is shown. */
export function MyBookings({ timeZone }: { timeZone: string | null }) {
  const [sessions, setSessions] = useState<Record<string, Session>>({});
  const [notice, setNotice] = useState<Record<string, string>>({});
  // Each page's classes, read once each.
  const { page, error, reload, more } = usePagedList<Booking>("/me/bookings?limit=20", [], {
    onPage: async (next) => {
      const unknown = [...new Set(next.items.map((b) => b.session_id))].filter((id) => !sessions[id]);
      const found = await Promise.all(unknown.map((id) => api<Session>("GET", `/sessions/${id}`, undefined, false)));
      setSessions((all) => Object.fromEntries([...Object.entries(all), ...found.map((s) => [s.session_id, s])]));
    },
  });

  async function cancel(booking: Booking) {
    try {
      const cancelled = await api<Booking>("DELETE", `/bookings/${booking.booking_id}`);
      const refund = cancelled.refund
        ? `Refund of ${money(cancelled.refund.amount_cents, booking.currency)} (${cancelled.refund.status}).`
        : booking.price_cents > 0
          ? "No refund: the cancellation window has passed."
          : "";
      setNotice((all) => ({ ...all, [booking.booking_id]: `Cancelled. ${refund}`.trim() }));
      await reload();
    } catch (caught) {
      setNotice((all) => ({ ...all, [booking.booking_id]: (caught as ApiError).message }));
    }
  }

  return (
    <section>
      <h1>My bookings</h1>
      <FormError message={error} />
      {page === null && !error && <p aria-busy="true">Loading your bookings…</p>}
      {page && page.items.length === 0 && <p>No bookings yet: find a class under Classes.</p>}
      <ul className="cards">
        {page?.items.map((booking) => {
          const session = sessions[booking.session_id];
          const standing = ["confirmed", "pending_payment", "waitlisted"].includes(booking.status);
          return (
            <li key={booking.booking_id} className="card" data-testid="booking">
              <h2>{session?.title ?? "Class"}</h2>
              {session && <p>{dateTime(session.starts_at, timeZone)}</p>}
              <p>
                <span className="status">{LABEL[booking.status] ?? booking.status}</span>
                {booking.status === "waitlisted" && booking.position ? ` · number ${booking.position}` : ""}
                {" · "}
                {booking.covered_by
                  ? `covered by your ${booking.covered_by.kind === "membership" ? "membership" : "class pack"}`
                  : money(booking.price_cents, booking.currency)}
              </p>
              {booking.join_url && (
                <p>
                  <a href={booking.join_url} rel="noopener noreferrer" target="_blank">
                    Join the live class
                  </a>
                </p>
              )}
              {standing && (
                <button type="button" onClick={() => cancel(booking)} aria-label={`Cancel ${session?.title ?? "booking"}`}>
                  Cancel
                </button>
              )}
              {notice[booking.booking_id] && <p role="status">{notice[booking.booking_id]}</p>}
            </li>
          );
        })}
      </ul>
      {more && (
        <button type="button" onClick={more}>
          More bookings
        </button>
      )}
    </section>
  );
}
