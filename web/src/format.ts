// Times in the member's own time zone (their profile's, else the browser's), money in its currency.

export function dateTime(iso: string, timeZone?: string | null): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: timeZone ?? undefined,
  }).format(new Date(iso));
}

export function dayKey(iso: string, timeZone?: string | null): string {
  // en-CA writes YYYY-MM-DD: a sortable day in the member's zone.
  return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone ?? undefined }).format(new Date(iso));
}

/** A price: nothing to pay is "Free". */
export function money(cents: number, currency: string): string {
  return cents === 0 ? "Free" : amount(cents, currency);
}

/** A sum of money, zero included. */
export function amount(cents: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(
    cents / 100,
  );
}

export function date(iso: string, timeZone?: string | null): string {
  return new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: timeZone ?? undefined }).format(
    new Date(iso),
  );
}

export const DAY_MS = 86_400_000;
export const isoDay = (at: Date): string => at.toISOString().slice(0, 10);

/** The Mondays (UTC, YYYY-MM-DD) of the last `count` weeks, oldest first, this week's last. */
export function lastMondays(count: number, today = new Date()): string[] {
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const monday = midnight - ((today.getUTCDay() + 6) % 7) * DAY_MS;
  return Array.from({ length: count }, (_, i) => isoDay(new Date(monday - (count - 1 - i) * 7 * DAY_MS)));
}

/** A bar per week, the quiet ones too (reports list only the weeks with figures). */
export function weekly(mondays: string[], values: Map<string, number>): { label: string; value: number }[] {
  return mondays.map((monday) => ({ label: monday.slice(5), value: values.get(monday) ?? 0 }));
}

/** A number typed into a form: sent as a number when it is one, else as typed, so that the API
 * names the field ("Input should be a valid integer") instead of receiving null. */
export const numeric = (text: string): number | string =>
  text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;

/** A datetime-local value (the browser's wall time) as the instant the API takes; as typed when
 * it is no time, so that the API names the field. */
export function instant(text: string): string {
  const at = new Date(text);
  return text && !Number.isNaN(at.getTime()) ? at.toISOString() : text;
}
