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
