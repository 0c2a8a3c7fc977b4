import { useState } from "react";
import { api, ApiError, type Schemas } from "../../api/client";
import { FormError } from "../../components/Field";
import { usePagedList } from "../../components/usePagedList";
import { date } from "../../format";

type Account = Schemas["AccountView"];

const ROLES: Account["role"][] = ["member", "trainer", "admin"];

/** Every account (by role, paged): change a role, disable or enable an account. */
export function Users() {
  const [role, setRole] = useState("");
  const [said, setSaid] = useState<Record<string, string>>({});
  const query = new URLSearchParams({ limit: "20", ...(role ? { role } : {}) });
  const { page, setPage, error, more } = usePagedList<Account>(`/admin/users?${query}`, [role]);

  async function change(account: Account, update: { role?: Account["role"]; disabled?: boolean }) {
    try {
      const changed = await api<Account>("PATCH", `/admin/users/${account.user_id}`, update);
      setPage((current) => current && { ...current, items: current.items.map((a) => (a.user_id === account.user_id ? { ...a, ...changed } : a)) });
      setSaid((all) => ({ ...all, [account.user_id]: "Saved." }));
    } catch (caught) {
      setSaid((all) => ({ ...all, [account.user_id]: (caught as ApiError).message }));
    }
  }

  return (
    <section>
      <h2>Users</h2>
      <label>
        Show{" "}
        <select aria-label="Show users with the role" value={role} onChange={(event) => setRole(event.target.value)}>
          <option value="">All</option>
          {ROLES.map((each) => (
            <option key={each}>{each}</option>
          ))}
        </select>
      </label>
      <FormError message={error} />
      {page === null && !error && <p aria-busy="true">Loading users…</p>}
      {page?.items.length === 0 && <p>No users{role ? ` with the role ${role}` : ""}.</p>}
      <ul className="cards">
        {page?.items.map((account) => (
          <li key={account.user_id} className="card" data-testid="account">
            <h3>{account.email}</h3>
            <p className="muted">
              Since {date(account.created_at)} · {account.disabled ? "disabled" : "active"}
              {account.mfa_enabled ? " · MFA on" : ""}
            </p>
            <div className="actions">
              <label>
                Role{" "}
                <select
                  aria-label={`Role of ${account.email}`}
                  value={account.role}
                  onChange={(event) => change(account, { role: event.target.value as Account["role"] })}
                >
                  {ROLES.map((each) => (
                    <option key={each}>{each}</option>
                  ))}
                </select>
              </label>
              <button type="button" className={account.disabled ? undefined : "danger"} onClick={() => change(account, { disabled: !account.disabled })}>
                {account.disabled ? "Enable" : "Disable"}
              </button>
            </div>
            {said[account.user_id] && <p role="status">{said[account.user_id]}</p>}
          </li>
        ))}
      </ul>
      {more && (
        <button type="button" onClick={more}>
          More users
        </button>
      )}
    </section>
  );
}
