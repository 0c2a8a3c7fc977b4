import { useState } from "react";
import { api, type Schemas } from "../../api/client";
import { Field, FormError } from "../../components/Field";
import { useSubmit } from "../../components/useSubmit";
import { money } from "../../format";

type Refund = Schemas["AdminRefundView"];

/** A refund of a payment (in full unless an amount is given), applied once however often sent. */
export function Refunds() {
  const [paymentId, setPaymentId] = useState("");
  const [amount, setAmount] = useState("");
  const [done, setDone] = useState<string>();
  const { error, busy, submit } = useSubmit(async () => {
    setDone(undefined);
    const body = amount.trim() ? { amount_cents: Math.round(Number(amount) * 100) } : {};
    const refund = await api<Refund>("POST", `/admin/payments/${encodeURIComponent(paymentId.trim())}/refund`, body);
    setDone(`Refund ${refund.status}: ${money(refund.amount_cents, refund.payment.currency)} (${money(refund.payment.refunded_cents, refund.payment.currency)} refunded in all).`);
  });
  return (
    <form className="card narrow" onSubmit={submit} noValidate aria-label="Refund a payment">
      <h2>Refund a payment</h2>
      <Field label="Payment id (from the receipt or the member's payments)" name="payment_id" value={paymentId} onChange={setPaymentId} error={error?.forField("payment_id")} />
      <Field label="Amount (empty: in full)" name="amount" inputMode="text" value={amount} onChange={setAmount} error={error?.forField("amount_cents")} />
      <FormError error={error} fields={["payment_id", "amount_cents"]} />
      <button type="submit" disabled={busy || !paymentId.trim()}>
        {busy ? "Refunding…" : "Refund"}
      </button>
      {done && <p role="status">{done}</p>}
    </form>
  );
}
