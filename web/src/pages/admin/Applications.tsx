import { useEffect, useState } from "react";
import { api, ApiError, appendPage, type Page, type Schemas } from "../../api/client";
import { FormError } from "../../components/Field";

type Trainer = Schemas["TrainerView"];

/** Trainer applications waiting for an admin, approved with one click. */
export function Applications() {
  const [page, setPage] = useState<Page<Trainer> | null>(null);
  const [error, setError] = useState<string>();
  const [approved, setApproved] = useState<Record<string, boolean>>({});

  async function load(cursor?: string) {
    const query = new URLSearchParams({ status: "pending", limit: "20", ...(cursor ? { cursor } : {}) });
    try {
      const next = await api<Page<Trainer>>("GET", `/admin/trainers?${query}`);
      setPage((previous) => appendPage(previous, next, cursor));
    } catch (caught) {
      setError((caught as ApiError).message);
    }
  }

  useEffect(() => {
    void load();
  }, []);

  async function approve(trainer: Trainer) {
    try {
      await api("POST", `/admin/trainers/${trainer.trainer_id}/approve`);
      setApproved((all) => ({ ...all, [trainer.trainer_id]: true }));
    } catch (caught) {
      setError((caught as ApiError).message);
    }
  }

  return (
    <section>
      <h2>Trainer applications</h2>
      <FormError message={error} />
      {page === null && !error && <p aria-busy="true">Loading applications…</p>}
      {page && page.items.length === 0 && <p>No applications waiting.</p>}
      <ul className="cards">
        {page?.items.map((trainer) => (
          <li key={trainer.trainer_id} className="card" data-testid="application">
            <h3>{trainer.name}</h3>
            <p>{trainer.bio}</p>
            <p className="muted">{trainer.specialties.join(", ")}</p>
            {approved[trainer.trainer_id] ? (
              <p role="status">Approved.</p>
            ) : (
              <button type="button" onClick={() => approve(trainer)} aria-label={`Approve ${trainer.name}`}>
                Approve
              </button>
            )}
          </li>
        ))}
      </ul>
      {page?.next_cursor && (
        <button type="button" onClick={() => load(page.next_cursor!)}>
          More applications
        </button>
      )}
    </section>
  );
}
