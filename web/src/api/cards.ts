// Card payments with Stripe.js: the one script the app does not bundle (Stripe requires it from
// js.stripe.com; locally the runtime's stand-in on localstripe). It is loaded only when a member
// is about to pay, and the card's number goes from Stripe's element to Stripe, never to our API.
import { clientConfig } from "./client";

export interface StripeError {
  type?: string;
  code?: string;
  message?: string;
}

export interface CardElement {
  mount(target: HTMLElement): void;
  on(event: "change", handler: () => void): void;
  destroy(): void;
}

export interface StripeJs {
  elements(): { create(type: "card"): CardElement };
  confirmCardPayment(
    clientSecret: string,
    data?: { payment_method: { card: CardElement } },
  ): Promise<{ error?: StripeError; paymentIntent?: { id: string; status: string } }>;
  createPaymentMethod(options: {
    type: "card";
    card: CardElement;
  }): Promise<{ error?: StripeError; paymentMethod?: { id: string } }>;
}

declare global {
  interface Window {
    Stripe?: (publishableKey: string) => StripeJs;
  }
}

let loading: Promise<StripeJs> | null = null;

/** False where the stage has no publishable key: the app then offers no card payment. */
export const cardPaymentsConfigured = (): boolean => Boolean(clientConfig().stripePublishableKey);

export function loadStripe(): Promise<StripeJs> {
  const { stripePublishableKey: key, stripeJsUrl: url } = clientConfig();
  if (!key || !url) return Promise.reject(new Error("Card payments are not set up here."));
  loading ??= new Promise<StripeJs>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.onload = () => (window.Stripe ? resolve(window.Stripe(key)) : reject(new Error("Stripe.js did not load.")));
    script.onerror = () => {
      loading = null; // the next payment tries again
      reject(new Error("Stripe.js could not be loaded: check the connection and try again."));
    };
    document.head.appendChild(script);
  });
  return loading;
}

/** A refusal a member can act on, in Stripe's words. */
export const declined = (error: StripeError): string => error.message ?? "The card was not accepted.";
