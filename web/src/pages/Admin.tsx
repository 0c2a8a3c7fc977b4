import { useState } from "react";
import { Applications } from "./admin/Applications";
import { Equipment } from "./admin/Equipment";
import { Refunds } from "./admin/Refunds";
import { Reports } from "./admin/Reports";
import { Users } from "./admin/Users";

const SECTIONS = ["Applications", "Users", "Equipment", "Reports", "Refunds"] as const;
type Section = (typeof SECTIONS)[number];

/** The admin's screens: trainer applications, users and roles, the equipment board, reports, refunds. */
export function Admin({ timeZone }: { timeZone: string | null }) {
  const [section, setSection] = useState<Section>("Applications");
  return (
    <section>
      <h1>Admin</h1>
      <div role="group" aria-label="Admin sections" className="sections">
        {SECTIONS.map((each) => (
          <button key={each} type="button" aria-pressed={each === section} onClick={() => setSection(each)}>
            {each}
          </button>
        ))}
      </div>
      {section === "Applications" && <Applications />}
      {section === "Users" && <Users />}
      {section === "Equipment" && <Equipment timeZone={timeZone} />}
      {section === "Reports" && <Reports />}
      {section === "Refunds" && <Refunds />}
    </section>
  );
}
