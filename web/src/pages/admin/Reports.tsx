import { useEffect, useState } from "react";
import { api, ApiError, download } from "../../api/client";
import { BarChart } from "../../components/charts";
import { FormError } from "../../components/Field";
import { useLatest } from "../../components/useLatest";
import { amount, DAY_MS, isoDay, lastMondays, weekly } from "../../format";

interface Summary {
  bookings: { confirmed: number; cancelled: number; attended: number; no_show: number; waitlisted: number };
  fill_rate: number | null;
  revenue_cents: number;
  refunds_cents: number;
  net_cents: number;
  currency: string | null;
  active_members: number;
  new_members: number;
  top_sessions: { session_id: string; title: string; attended?: number; fill_rate?: number | null }[];
}

type Line = Record<string, string | number | null>;


/** The last weeks' figures: a summary, then revenue and attendance per week as charts. */
export function Reports() {
  const [weeks, setWeeks] = useState(8);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [revenue, setRevenue] = useState<Line[]>([]);
  const [attendance, setAttendance] = useState<Line[]>([]);
  const [error, setError] = useState<string>();
  const [range, setRange] = useState("");
  const request = useLatest();

  useEffect(() => {
    const to = new Date();
    const from = new Date(to.getTime() - weeks * 7 * DAY_MS);
    const range = `from=${isoDay(from)}&to=${isoDay(to)}`;
    setRange(range);
    setSummary(null);
    const current = request();
    Promise.all([
      api<Summary>("GET", `/admin/reports/summary?${range}`),
      api<{ items: Line[] }>("GET", `/admin/reports/revenue?${range}&group_by=week`),
      api<{ items: Line[] }>("GET", `/admin/reports/attendance?${range}&group_by=week`),
    ]).then(
      ([figures, money_, people]) => {
        if (!current()) return;
        setSummary(figures);
        setRevenue(money_.items);
        setAttendance(people.items);
        setError(undefined);
      },
      (caught: ApiError) => setError(caught.message),
    );
  }, [weeks]);

  const currency = summary?.currency ?? "eur";
  const byWeek = (lines: Line[], value: (line: Line) => number) =>
    weekly(lastMondays(weeks), new Map(lines.map((line) => [String(line.week), value(line)])));

  return (
    <section>
      <h2>Reports</h2>
      <label>
        Period{" "}
        <select value={weeks} onChange={(event) => setWeeks(Number(event.target.value))}>
          <option value={4}>Last 4 weeks</option>
          <option value={8}>Last 8 weeks</option>
          <option value={26}>Last 26 weeks</option>
        </select>
      </label>
      <FormError message={error} />
      {summary === null && !error && <p aria-busy="true">Loading reports…</p>}
      {summary && (
        <>
          <ul className="figures" data-testid="report-summary">
            <li>
              <strong>{amount(summary.net_cents, currency)}</strong> net ({amount(summary.revenue_cents, currency)} in, {amount(summary.refunds_cents, currency)} refunded)
            </li>
            <li>
              <strong>{summary.bookings.confirmed}</strong> bookings confirmed
            </li>
            <li>
              <strong>{summary.bookings.attended}</strong> attended · {summary.bookings.no_show} missed
            </li>
            <li>
              <strong>{summary.fill_rate === null ? "—" : `${Math.round(summary.fill_rate * 100)}%`}</strong> of seats filled
            </li>
            <li>
              <strong>{summary.active_members}</strong> active members · {summary.new_members} new
            </li>
          </ul>
          <BarChart title={`Net revenue per week (${currency.toUpperCase()})`} bars={byWeek(revenue, (line) => Number(line.net_cents ?? 0) / 100)} unit={currency.toUpperCase()} />
          <BarChart title="Attendance per week" bars={byWeek(attendance, (line) => Number(line.attended ?? 0))} unit="attended" />
          <p className="actions">
            {(["revenue", "attendance", "equipment"] as const).map((report) => (
              <button
                key={report}
                type="button"
                onClick={() =>
                  download(`/admin/reports/${report}?${range}&group_by=day&format=csv`, `fitconnect-${report}-${range.replace(/[^0-9-]+/g, "_")}.csv`).catch(
                    (caught: ApiError) => setError(caught.message),
                  )
                }
              >
                {report[0].toUpperCase() + report.slice(1)} by day (CSV)
              </button>
            ))}
          </p>
        </>
      )}
    </section>
  );
}
