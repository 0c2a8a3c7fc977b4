import { useEffect, useState } from "react";
import { cardPaymentsConfigured, type CardElement, declined, type StripeJs } from "../api/cards";
import { api, ApiError, type Entitlement, type Page, type Product, type Purchase, waitFor } from "../api/client";
import { CardForm } from "../components/CardForm";
import { Field, FormError } from "../components/Field";
import { date, money } from "../format";

const ACTIVATION_WAIT_MS = 30_000;

function describe(product: Product): string {
  if (product.kind === "class_pack") return `${product.credits} classes${product.valid_days ? `, valid ${product.valid_days} days` : ""}`;
  const allowance = product.classes_per_period === null ? "unlimited classes" : `${product.classes_per_period} classes`;
  return `${allowance} a ${product.interval ?? "month"}, renews until cancelled`;
}

function standing(entitlement: Entitlement): string {
  if (entitlement.kind === "class_pack") {
    return `${entitlement.credits_left} of ${entitlement.credits_total} classes left${entitlement.expires_at ? ` · until ${date(entitlement.expires_at)}` : ""}`;
  }
  const left = entitlement.classes_left_this_period;
  const allowance = left === null || left === undefined ? "Unlimited classes" : `${left} classes left this period`;
  return `${allowance}${entitlement.period_end ? ` · renews ${date(entitlement.period_end)}` : ""}`;
}

/** The wallet appears when Stripe's webhook has said paid: wait for the purchase to show in it. */
async function activated(purchaseId: string): Promise<boolean> {
  const found = await waitFor(async () => {
    const wallet = await api<{ items: Entitlement[] }>("GET", "/me/entitlements");
    return wallet.items.some((e) => e.entitlement_id === purchaseId && e.status === "active") || undefined;
  }, ACTIVATION_WAIT_MS);
  return found === true;
}

/** Memberships and class packs: what is on sale, bought with a card (and a promo code), and the
 * member's own with what is left of each. */
export function Passes() {
  const [products, setProducts] = useState<Product[] | null>(null);
  const [wallet, setWallet] = useState<Entitlement[] | null>(null);
  const [error, setError] = useState<string>();
  const [buying, setBuying] = useState<Product | null>(null);
  const [promo, setPromo] = useState("");
  const [promoError, setPromoError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const loadWallet = () =>
    api<{ items: Entitlement[] }>("GET", "/me/entitlements").then((found) => setWallet(found.items), (caught: ApiError) => setError(caught.message));

  useEffect(() => {
    api<Page<Product>>("GET", "/products?limit=50", undefined, false).then(
      (found) => setProducts(found.items),
      (caught: ApiError) => setError(caught.message),
    );
    void loadWallet();
  }, []);

  async function buy(product: Product, stripe: StripeJs, card: CardElement): Promise<string | undefined> {
    setPromoError(undefined);
    let paymentMethod: string | undefined;
    if (product.kind === "membership") {
      // A membership renews on the saved card: Stripe.js makes it a payment method first.
      const made = await stripe.createPaymentMethod({ type: "card", card });
      if (made.error) return declined(made.error);
      paymentMethod = made.paymentMethod!.id;
    }
    let purchase: Purchase;
    try {
      purchase = await api<Purchase>("POST", "/me/purchases", {
        product_id: product.product_id,
        ...(promo.trim() ? { promo_code: promo.trim() } : {}),
        ...(paymentMethod ? { payment_method: paymentMethod } : {}),
      });
    } catch (caught) {
      const refused = caught as ApiError;
      if (refused.forField("promo_code") || refused.code === "promo_code_invalid") {
        setPromoError(refused.forField("promo_code") ?? refused.message);
        return undefined;
      }
      return refused.message;
    }
    const secret = purchase.payment.client_secret;
    if (secret) {
      // A pack's intent is paid here; a membership's first invoice only when its bank asks.
      const paid = await stripe.confirmCardPayment(secret, paymentMethod ? undefined : { payment_method: { card } });
      if (paid.error) return declined(paid.error);
    }
    setBuying(null);
    setNotice(`Paid ${money(purchase.amount_cents, purchase.currency)} — activating ${purchase.name}…`);
    const active = await activated(purchase.purchase_id);
    setNotice(active ? `${purchase.name} is yours: book classes with it.` : `Paid: ${purchase.name} shows here once Stripe confirms it.`);
    void loadWallet();
    return undefined;
  }

  async function cancelMembership(entitlement: Entitlement) {
    try {
      await api("POST", `/me/entitlements/${entitlement.entitlement_id}/cancel`, {});
      setNotice(`${entitlement.name} ends at the end of this period.`);
      void loadWallet();
    } catch (caught) {
      setNotice((caught as ApiError).message);
    }
  }

  return (
    <section>
      <h1>Memberships &amp; packs</h1>
      <FormError message={error} />
      {notice && <p role="status">{notice}</p>}
      <h2>Yours</h2>
      {wallet === null && !error && <p aria-busy="true">Loading your passes…</p>}
      {wallet?.length === 0 && <p>None yet: a pack or membership pays for classes as you book them.</p>}
      <ul className="cards">
        {wallet?.map((entitlement) => (
          <li key={entitlement.entitlement_id} className="card" data-testid="entitlement">
            <h3>{entitlement.name}</h3>
            <p>
              <span className="status">{entitlement.status}</span> · {standing(entitlement)}
            </p>
            {entitlement.kind === "membership" && entitlement.status === "active" && (
              <button type="button" onClick={() => cancelMembership(entitlement)}>
                Cancel at period end
              </button>
            )}
          </li>
        ))}
      </ul>
      <h2>On sale</h2>
      {products === null && !error && <p aria-busy="true">Loading…</p>}
      {products?.length === 0 && <p>Nothing on sale right now.</p>}
      <ul className="cards">
        {products?.map((product) => (
          <li key={product.product_id} className="card" data-testid="product">
            <h3>{product.name}</h3>
            <p>
              {money(product.price_cents, product.currency)} · {describe(product)}
            </p>
            {buying?.product_id === product.product_id ? (
              <>
                <Field label="Promo code" name="promo_code" value={promo} onChange={setPromo} error={promoError} />
                <CardForm
                  submitLabel={`Pay ${money(product.price_cents, product.currency)}`}
                  onCard={(stripe, card) => buy(product, stripe, card)}
                  onCancel={() => setBuying(null)}
                />
              </>
            ) : (
              <button
                type="button"
                disabled={!cardPaymentsConfigured()}
                onClick={() => {
                  setBuying(product);
                  setPromo("");
                  setPromoError(undefined);
                }}
                aria-label={`Buy ${product.name}`}
              >
                Buy
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
