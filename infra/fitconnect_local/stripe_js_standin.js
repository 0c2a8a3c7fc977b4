// The local runtime's stand-in for Stripe.js v3: the part the web client uses (a card element,
// createPaymentMethod, confirmCardPayment with 3-D Secure), against localstripe with its
// publishable key, as Stripe.js talks to api.stripe.com. Served by localstripe at
// /js.stripe.com/v3/ (fitconnect_local.stripe_server): card numbers go to localstripe, never
// to the app. Test cards are Stripe's: 4242 4242 4242 4242 pays, 4000 0000 0000 0341 is
// declined when charged, 4000 0025 0000 3155 asks for authentication.
(function () {
  "use strict";
  const base = document.currentScript.src.replace(/\/js\.stripe\.com\/v3\/?$/, "");

  async function post(path, fields) {
    const body = new URLSearchParams();
    Object.keys(fields).forEach(function (name) {
      if (fields[name] !== undefined && fields[name] !== null) body.append(name, String(fields[name]));
    });
    const answer = await fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
    });
    const json = await answer.json().catch(function () {
      return {};
    });
    return answer.ok ? { ok: true, body: json } : { ok: false, error: json.error || { message: "Stripe answered " + answer.status } };
  }

  function cardElement() {
    const listeners = {};
    let inputs = null;
    let mounted = null;

    function fire(event, payload) {
      (listeners[event] || []).forEach(function (handler) {
        handler(payload);
      });
    }

    function card() {
      if (!inputs) return { error: { type: "validation_error", message: "The card element is not mounted." } };
      const number = inputs.number.value.replace(/\s+/g, "");
      const expiry = inputs.expiry.value.match(/^\s*(\d{1,2})\s*\/\s*(\d{2})\s*$/);
      const cvc = inputs.cvc.value.trim();
      if (!/^\d{16}$/.test(number)) return { error: { type: "validation_error", code: "incomplete_number", message: "Your card number is incomplete." } };
      if (!expiry || +expiry[1] < 1 || +expiry[1] > 12) return { error: { type: "validation_error", code: "incomplete_expiry", message: "Your card's expiration date is incomplete." } };
      if (!/^\d{3,4}$/.test(cvc)) return { error: { type: "validation_error", code: "incomplete_cvc", message: "Your card's security code is incomplete." } };
      return { card: { number: number, exp_month: +expiry[1], exp_year: 2000 + +expiry[2], cvc: cvc } };
    }

    function field(label, name, autocomplete, placeholder) {
      const wrapper = document.createElement("label");
      wrapper.textContent = label + " ";
      const input = document.createElement("input");
      input.name = name;
      input.autocomplete = autocomplete;
      input.inputMode = "numeric";
      input.placeholder = placeholder;
      input.addEventListener("input", function () {
        const checked = card();
        fire("change", { elementType: "card", empty: !inputs.number.value, complete: !checked.error, error: undefined });
      });
      wrapper.appendChild(input);
      return [wrapper, input];
    }

    return {
      _card: card,
      mount: function (target) {
        mounted = typeof target === "string" ? document.querySelector(target) : target;
        const number = field("Card number", "cardnumber", "cc-number", "1234 1234 1234 1234");
        const expiry = field("Expiry", "exp-date", "cc-exp", "MM / YY");
        const cvc = field("CVC", "cvc", "cc-csc", "CVC");
        inputs = { number: number[1], expiry: expiry[1], cvc: cvc[1] };
        [number[0], expiry[0], cvc[0]].forEach(function (node) {
          mounted.appendChild(node);
        });
        fire("ready", { elementType: "card" });
      },
      on: function (event, handler) {
        (listeners[event] = listeners[event] || []).push(handler);
      },
      focus: function () {
        if (inputs) inputs.number.focus();
      },
      unmount: function () {
        if (mounted) mounted.replaceChildren();
        inputs = null;
        mounted = null;
      },
      destroy: function () {
        this.unmount();
      },
    };
  }

  window.Stripe = function (key) {
    async function createPaymentMethod(options) {
      const checked = options.card._card();
      if (checked.error) return { error: checked.error };
      const made = await post("/v1/payment_methods", {
        key: key,
        type: "card",
        "card[number]": checked.card.number,
        "card[exp_month]": checked.card.exp_month,
        "card[exp_year]": checked.card.exp_year,
        "card[cvc]": checked.card.cvc,
      });
      return made.ok ? { paymentMethod: made.body } : { error: made.error };
    }

    async function confirmCardPayment(clientSecret, data) {
      const intent = String(clientSecret).split("_secret_")[0];
      let method = data && data.payment_method;
      if (method && typeof method === "object") {
        const made = await createPaymentMethod({ type: "card", card: method.card });
        if (made.error) return { error: made.error };
        method = made.paymentMethod.id;
      }
      let answer = await post("/v1/payment_intents/" + intent + "/confirm", {
        key: key,
        client_secret: clientSecret,
        payment_method: method,
      });
      if (answer.ok && answer.body.status === "requires_action") {
        // Stripe shows the bank's page; the stand-in asks in a dialog.
        const passed = window.confirm("3-D Secure (local Stripe): complete the authentication?");
        answer = await post("/v1/payment_intents/" + intent + "/_authenticate?success=" + passed, {
          key: key,
          client_secret: clientSecret,
        });
      }
      if (!answer.ok) return { error: answer.error };
      if (answer.body.status === "requires_payment_method") {
        return { error: answer.body.last_payment_error || { message: "The payment failed." } };
      }
      return { paymentIntent: answer.body };
    }

    return {
      elements: function () {
        let card = null;
        return {
          create: function (type) {
            if (type !== "card") throw new Error("the local Stripe.js stand-in has only the card element");
            card = card || cardElement();
            return card;
          },
          getElement: function () {
            return card;
          },
        };
      },
      createPaymentMethod: createPaymentMethod,
      confirmCardPayment: confirmCardPayment,
    };
  };
})();
