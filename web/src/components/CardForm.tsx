import { type FormEvent, useEffect, useRef, useState } from "react";
import { type CardElement, loadStripe, type StripeJs } from "../api/cards";
import { FormError } from "./Field";

interface CardFormProps {
  submitLabel: string;
  /** Runs with the mounted card; a message keeps the form open with it. */
  onCard: (stripe: StripeJs, card: CardElement) => Promise<string | undefined>;
  onCancel?: () => void;
}

/** Stripe's card element in a form: the card's details are Stripe's (an iframe deployed). */
export function CardForm({ submitLabel, onCard, onCancel }: CardFormProps) {
  const host = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState<{ stripe: StripeJs; card: CardElement } | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let card: CardElement | undefined;
    let gone = false;
    loadStripe().then(
      (stripe) => {
        if (gone || !host.current) return;
        card = stripe.elements().create("card");
        card.mount(host.current);
        card.on("change", () => setError(undefined)); // a corrected card clears the last complaint
        setReady({ stripe, card });
      },
      (failure: Error) => setError(failure.message),
    );
    return () => {
      gone = true;
      card?.destroy();
    };
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError(undefined);
    try {
      setError(await onCard(ready.stripe, ready.card));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card-form" onSubmit={submit} aria-label="Card payment">
      <div ref={host} className="card-element" aria-busy={!ready} />
      <FormError message={error} />
      <div className="actions">
        <button type="submit" disabled={!ready || busy}>
          {busy ? "Paying…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={busy}>
            Not now
          </button>
        )}
      </div>
      <p className="muted">Your card goes to Stripe, never to FitConnect.</p>
    </form>
  );
}
