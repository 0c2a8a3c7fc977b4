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

export function money(cents: number, currency: string): string {
  if (cents === 0) return "Free";
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(
    cents / 100,
  );
}
