import { useEffect, useState } from "react";
import {
  api,
  ApiError,
  type Activity,
  type Insights,
  type LoggedActivity,
  type NewActivity,
  type Page,
  type Plan,
  type PlanRequest,
  type Schemas,
} from "../api/client";
import { AcwrBand, BarChart } from "../components/charts";
import { Choice, Field, FormError } from "../components/Field";
import { usePagedList } from "../components/usePagedList";
import { useSubmit } from "../components/useSubmit";
import { date, dateTime, instant, numeric } from "../format";

const TYPES: NewActivity["type"][] = ["run", "ride", "swim", "walk", "row", "strength", "hiit", "yoga", "other"];
const GOALS: PlanRequest["goal"][] = ["general_fitness", "strength", "hypertrophy", "endurance"];
const LEVELS: PlanRequest["experience"][] = ["beginner", "intermediate", "advanced"];
const words = (code: string) => code.replace(/_/g, " ");
type Exercise = Schemas["ExerciseView"];

interface SetRow {
  exercise: Exercise;
  reps: string;
  weight: string;
}

/** Sets of a strength workout: find an exercise in the catalogue, then its reps and weight. */
function SetsEditor({ rows, onChange, error }: { rows: SetRow[]; onChange: (rows: SetRow[]) => void; error: ApiError | null }) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<Exercise[]>([]);
  const [chosen, setChosen] = useState("");

  useEffect(() => {
    const timer = window.setTimeout(() => {
      const search = new URLSearchParams({ limit: "20", ...(query.trim() ? { q: query.trim() } : {}) });
      api<Page<Exercise>>("GET", `/exercises?${search}`, undefined, false).then((page) => {
        setFound(page.items);
        setChosen(page.items[0]?.exercise_id ?? "");
      }, () => setFound([]));
    }, 250); // one search per pause in typing
    return () => window.clearTimeout(timer);
  }, [query]);

  const change = (index: number, update: Partial<SetRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...update } : row)));
  const add = () => {
    const exercise = found.find((each) => each.exercise_id === chosen);
    if (exercise) onChange([...rows, { exercise, reps: "10", weight: "" }]);
  };
  return (
    <fieldset>
      <legend>Sets</legend>
      {rows.map((row, index) => (
        <div key={index} className="actions" data-testid="set-row">
          <strong>{row.exercise.name}</strong>
          <Field label={`Reps of set ${index + 1}`} name={`reps-${index}`} inputMode="numeric" value={row.reps} onChange={(reps) => change(index, { reps })} error={error?.forField(`sets.${index}.reps`)} />
          <Field label={`Kilograms of set ${index + 1}`} name={`weight-${index}`} inputMode="text" value={row.weight} onChange={(weight) => change(index, { weight })} error={error?.forField(`sets.${index}.weight_kg`)} />
          <button type="button" onClick={() => onChange(rows.filter((_, i) => i !== index))} aria-label={`Remove set ${index + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <Field label="Find an exercise" name="exercise_search" value={query} onChange={setQuery} />
      <div className="actions">
        <label htmlFor="set-exercise">Exercise</label>
        <select id="set-exercise" value={chosen} onChange={(event) => setChosen(event.target.value)}>
            {found.map((exercise) => (
              <option key={exercise.exercise_id} value={exercise.exercise_id}>
                {exercise.name}
              </option>
          ))}
        </select>
        <button type="button" onClick={add} disabled={!chosen}>
          Add a set
        </button>
      </div>
    </fieldset>
  );
}

function localNow(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** Log a workout by hand; the platform answers with its load and any personal record. */
function LogWorkout({ onLogged }: { onLogged: () => void }) {
  const [type, setType] = useState<NewActivity["type"]>("run");
  const [startedAt, setStartedAt] = useState(localNow());
  const [minutes, setMinutes] = useState("30");
  const [km, setKm] = useState("");
  const [rpe, setRpe] = useState("6");
  const [notes, setNotes] = useState("");
  const [sets, setSets] = useState<SetRow[]>([]);
  const [logged, setLogged] = useState<string>();
  const { error, busy, submit } = useSubmit(async () => {
    setLogged(undefined);
    const body: Record<string, unknown> = { // NewActivity, numbers as typed when they are none
      type,
      started_at: instant(startedAt),
      duration_s: typeof numeric(minutes) === "number" ? Math.round(Number(minutes) * 60) : minutes,
      ...(km.trim() ? { distance_m: typeof numeric(km) === "number" ? Math.round(Number(km) * 1000) : km } : {}),
      ...(rpe.trim() ? { rpe: numeric(rpe) } : {}),
      ...(notes.trim() ? { notes: notes.trim() } : {}),
      ...(type === "strength" && sets.length
        ? {
            sets: sets.map((row) => ({
              exercise_id: row.exercise.exercise_id,
              reps: numeric(row.reps),
              ...(row.weight.trim() ? { weight_kg: numeric(row.weight) } : {}),
            })),
          }
        : {}),
    };
    const activity = await api<LoggedActivity>("POST", "/me/activities", body);
    const records = activity.personal_records.map((record) => `${words(record.metric)} ${record.value}`);
    setLogged(`Logged: load ${Math.round(activity.load)}.${records.length ? ` New record: ${records.join(", ")}.` : ""}`);
    setSets([]);
    onLogged();
  });

  return (
    <form className="card" onSubmit={submit} noValidate aria-label="Log a workout">
      <h2>Log a workout</h2>
      <Choice label="Kind" value={type} options={TYPES.map((each) => [each, words(each)] as const)} onChange={setType} />
      <Field label="Started" name="started_at" type="datetime-local" value={startedAt} onChange={setStartedAt} error={error?.forField("started_at")} />
      <Field label="Minutes" name="duration" inputMode="numeric" value={minutes} onChange={setMinutes} error={error?.forField("duration_s")} />
      <Field label="Distance (km, optional)" name="distance" inputMode="text" value={km} onChange={setKm} error={error?.forField("distance_m")} />
      <Field label="Effort, 1 (easy) to 10 (maximal)" name="rpe" inputMode="numeric" value={rpe} onChange={setRpe} error={error?.forField("rpe")} />
      {type === "strength" && <SetsEditor rows={sets} onChange={setSets} error={error} />}
      <Field label="Notes (optional)" name="notes" value={notes} onChange={setNotes} error={error?.forField("notes")} />
      <FormError error={error} fields={["started_at", "duration_s", "distance_m", "rpe", "notes"]} />
      <button type="submit" disabled={busy}>
        {busy ? "Logging…" : "Log workout"}
      </button>
      {logged && <p role="status">{logged}</p>}
    </form>
  );
}

/** Weekly load, the ACWR band, records and recommendations, each with the figures it rests on. */
function InsightsPanel({ insights }: { insights: Insights | null }) {
  if (!insights) return <p aria-busy="true">Loading your analysis…</p>;
  const bars = insights.weeks.map((week) => ({ label: week.week_start.slice(5, 10), value: week.load }));
  return (
    <section className="card" aria-labelledby="insights-title">
      <h2 id="insights-title">Your training</h2>
      <BarChart title="Training load per week" bars={bars} unit="load" />
      <AcwrBand acwr={insights.training_load.acwr} status={insights.training_load.status} />
      <p>
        Last 7 days: load {Math.round(insights.training_load.acute_7d)} · 28-day weekly average {Math.round(insights.training_load.chronic_28d)} · streak {insights.streak_days} day
        {insights.streak_days === 1 ? "" : "s"}
      </p>
      {insights.recommendations.length > 0 && (
        <>
          <h3>What to do next</h3>
          <ul data-testid="recommendations">
            {insights.recommendations.map((tip) => (
              <li key={tip.code}>
                <strong>{tip.message}</strong> <span className="muted">{tip.reason}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {insights.personal_records.length > 0 && (
        <>
          <h3>Personal records</h3>
          <ul>
            {insights.personal_records.map((record) => (
              <li key={`${String(record.metric)}${String(record.exercise_id ?? record.type ?? "")}`}>
                {words(String(record.metric))}
                {record.type ? ` (${String(record.type)})` : ""}: {String(record.value)} · {date(String(record.achieved_at))}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The member's plan with its next workout (targets that follow what they logged), or a form to make one. */
function PlanPanel() {
  const [plan, setPlan] = useState<Plan | null | undefined>(undefined);
  const [goal, setGoal] = useState<PlanRequest["goal"]>("general_fitness");
  const [days, setDays] = useState("3");
  const [minutes, setMinutes] = useState("45");
  const [experience, setExperience] = useState<PlanRequest["experience"]>("beginner");

  const load = () =>
    api<Plan>("GET", "/me/plan").then(setPlan, (caught: ApiError) => setPlan(caught.status === 404 ? null : undefined));
  useEffect(() => {
    void load();
  }, []);

  const { error, busy, submit } = useSubmit(async () => {
    await api<Plan>("POST", "/me/plan", { goal, days_per_week: numeric(days), minutes_per_session: numeric(minutes), experience });
    await load();
  });

  const next = plan?.next_workout;
  return (
    <section className="card" aria-labelledby="plan-title">
      <h2 id="plan-title">Your plan</h2>
      {plan === undefined && <p aria-busy="true">Loading your plan…</p>}
      {next && (
        <div data-testid="next-workout">
          <h3>
            Next: week {next.week}, day {next.day} — {words(next.focus)}
          </h3>
          <p className="muted">{next.reason}</p>
          <ul>
            {next.exercises.map((exercise) => (
              <li key={exercise.exercise_id}>
                {exercise.name}: {exercise.sets} × {exercise.reps === exercise.reps_max ? exercise.reps : `${exercise.reps}–${exercise.reps_max}`}
                {exercise.target_weight_kg ? ` at ${exercise.target_weight_kg} kg` : ""}, rest {exercise.rest_s} s
                {exercise.reason && <span className="muted"> — {exercise.reason}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {plan && (
        <details>
          <summary>The whole plan ({plan.weeks.length} weeks) and why</summary>
          <ul>
            {plan.rationale.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          {plan.weeks.map((week) => (
            <div key={week.week} className="plan-week">
              <h4>Week {week.week}</h4>
              <ul>
                {week.workouts.map((workout) => (
                  <li key={workout.day}>
                    Day {workout.day}: {words(workout.focus)} — {workout.exercises.map((e) => e.name).join(", ")}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </details>
      )}
      {plan !== undefined && (
        <form onSubmit={submit} noValidate aria-label="Make a plan">
          <h3>{plan ? "Make a new plan" : "Make a plan"}</h3>
          <Choice label="Goal" value={goal} options={GOALS.map((each) => [each, words(each)] as const)} onChange={setGoal} />
          <Field label="Days a week (2–6)" name="days_per_week" inputMode="numeric" value={days} onChange={setDays} error={error?.forField("days_per_week")} />
          <Field label="Minutes a session (20–120)" name="minutes_per_session" inputMode="numeric" value={minutes} onChange={setMinutes} error={error?.forField("minutes_per_session")} />
          <Choice label="Experience" value={experience} options={LEVELS.map((each) => [each, each] as const)} onChange={setExperience} />
          <FormError error={error} fields={["days_per_week", "minutes_per_session"]} />
          <button type="submit" disabled={busy}>
            {busy ? "Planning…" : "Make my plan"}
          </button>
        </form>
      )}
    </section>
  );
}

/** The member's training: log, analysis as charts, the plan, and every workout (paged). */
export function Training({ timeZone }: { timeZone: string | null }) {
  const [insights, setInsights] = useState<Insights | null>(null);
  const [problem, setProblem] = useState<string>();
  const { page, error, reload, more } = usePagedList<Activity>("/me/activities?limit=10", []);

  const loadInsights = () =>
    api<Insights>("GET", "/me/insights?weeks=8").then(setInsights, (caught: ApiError) => setProblem(caught.message));
  useEffect(() => {
    void loadInsights();
  }, []);
  const refresh = () => {
    void loadInsights();
    void reload();
  };

  async function remove(activity: Activity) {
    try {
      await api("DELETE", `/me/activities/${activity.activity_id}`);
      refresh();
    } catch (caught) {
      setProblem((caught as ApiError).message);
    }
  }

  return (
    <section>
      <h1>Training</h1>
      <FormError message={problem ?? error} />
      <div className="columns">
        <LogWorkout onLogged={refresh} />
        <InsightsPanel insights={insights} />
      </div>
      <PlanPanel />
      <section className="card" aria-labelledby="log-title">
        <h2 id="log-title">Workouts</h2>
        {page === null && !error && <p aria-busy="true">Loading your workouts…</p>}
        {page?.items.length === 0 && <p>No workouts yet: log one above, connect Strava or import a watch file.</p>}
        <ul>
          {page?.items.map((activity) => (
            <li key={activity.activity_id} data-testid="activity">
              {dateTime(activity.started_at, timeZone)} · {words(activity.type)} · {Math.round(activity.duration_s / 60)} min
              {activity.distance_m ? ` · ${(activity.distance_m / 1000).toFixed(1)} km` : ""} · load {Math.round(activity.load)}
              {activity.source !== "manual" && <span className="muted"> · from {activity.source}</span>}{" "}
              <button type="button" onClick={() => remove(activity)} aria-label={`Delete the ${words(activity.type)} of ${dateTime(activity.started_at, timeZone)}`}>
                Delete
              </button>
            </li>
          ))}
        </ul>
        {more && (
          <button type="button" onClick={more}>
            More workouts
          </button>
        )}
      </section>
    </section>
  );
}
