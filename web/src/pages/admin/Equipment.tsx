import { useEffect, useState } from "react";
import { allPages, api, ApiError, type Schemas } from "../../api/client";
import { FormError } from "../../components/Field";
import { dateTime } from "../../format";

type Machine = Schemas["EquipmentView"];
type Recommendation = Schemas["EquipmentRecommendationView"];
type Status = "available" | "in_use" | "offline" | "needs_service";

const REFRESH_MS = 5_000; // telemetry batches arrive every few seconds
const STATUS: Record<Status, string> = {
  available: "Available",
  in_use: "In use",
  offline: "Offline",
  needs_service: "Needs service",
};

/** The floor's machines, read again every few seconds, and what to do about them with the figures. */
export function Equipment({ timeZone }: { timeZone: string | null }) {
  const [machines, setMachines] = useState<Machine[] | null>(null);
  const [advice, setAdvice] = useState<Recommendation[]>([]);
  const [error, setError] = useState<string>();
  const [said, setSaid] = useState<Record<string, string>>({});

  async function load() {
    try {
      const [fleet, found] = await Promise.all([
        allPages<Machine>("/equipment?limit=100"), // the whole fleet, page by page
        api<Schemas["EquipmentRecommendationsView"]>("GET", "/equipment/recommendations"),
      ]);
      setMachines(fleet);
      setAdvice(found.items);
      setError(undefined);
    } catch (caught) {
      setError((caught as ApiError).message);
    }
  }

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);

  async function serviced(machine: Machine) {
    try {
      await api("POST", `/equipment/${machine.equipment_id}/service`, {});
      setSaid((all) => ({ ...all, [machine.equipment_id]: "Service recorded." }));
      void load();
    } catch (caught) {
      setSaid((all) => ({ ...all, [machine.equipment_id]: (caught as ApiError).message }));
    }
  }

  return (
    <section>
      <h2>Equipment</h2>
      <FormError message={error} />
      {machines === null && !error && <p aria-busy="true">Loading machines…</p>}
      {machines?.length === 0 && <p>No machines registered.</p>}
      {advice.length > 0 && (
        <>
          <h3>Recommendations</h3>
          <ul data-testid="equipment-recommendations">
            {advice.map((item) => (
              <li key={`${item.equipment_id}-${item.type}`}>
                <strong>
                  {item.name}: {item.reason}
                </strong>{" "}
                <span className="muted">
                  ({item.severity};{" "}
                  {Object.entries(item.evidence)
                    .map(([name, value]) => `${name.replace(/_/g, " ")} ${String(value)}`)
                    .join(", ")}
                  )
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      <ul className="cards" aria-live="polite">
        {machines?.map((machine) => (
          <li key={machine.equipment_id} className={`card machine machine-${machine.status}`} data-testid="machine">
            <h3>{machine.name}</h3>
            <p>
              <span className="status">{STATUS[machine.status as Status] ?? machine.status}</span> · {machine.kind} · {machine.location}
            </p>
            <p>
              {machine.usage_hours_since_service.toFixed(1)} of {machine.service_interval_hours} h since service · {machine.usage_hours.toFixed(1)} h in all
            </p>
            <p className="muted">
              {machine.last_seen ? `Last heard ${dateTime(machine.last_seen, timeZone)}` : "Never heard from"}
              {machine.battery_pct !== null && ` · battery ${machine.battery_pct}%`}
              {machine.temperature_c !== null && ` · ${machine.temperature_c} °C`}
            </p>
            <button type="button" onClick={() => serviced(machine)} aria-label={`Record service of ${machine.name}`}>
              Record service
            </button>
            {said[machine.equipment_id] && <p role="status">{said[machine.equipment_id]}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}
