import { useState } from "react";
import { api, ApiError, type Schemas } from "../../api/client";
import { FormError } from "../../components/Field";
import { usePagedList } from "../../components/usePagedList";

type Trainer = Schemas["TrainerView"];

/** Trainer applications waiting for an admin, approved with one click. */
export function Applications() {
  const { page, error, more } = usePagedList<Trainer>("/admin/trainers?status=pending&limit=20", []);
  const [refused, setRefused] = useState<string>();
  const [approved, setApproved] = useState<Record<string, boolean>>({});

  async function approve(trainer: Trainer) {
    try {
      await api("POST", `/admin/trainers/${trainer.trainer_id}/approve`);
      setApproved((all) => ({ ...all, [trainer.trainer_id]: true }));
    } catch (caught) {
      setRefused((caught as ApiError).message);
    }
  }

  return (
    <section>
      <h2>Trainer applications</h2>
      <FormError message={refused ?? error} />
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
      {more && (
        <button type="button" onClick={more}>
          More applications
        </button>
      )}
    </section>
  );
}
