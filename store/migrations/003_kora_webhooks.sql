-- Kora's webhooks. Each verified event is kept as received, before Kora
-- is answered 200: the body (a change-voucher PIN in it masked in place,
-- the exact bytes sealed with AES-GCM under a key derived from the
-- server's Kora secret), and its fields for matching and reports. An event
-- is matched to a sale when read (our reference = payment_reference, else
-- Kora's reference = the sale's kora_reference), so it does not matter
-- which of the two arrives first. Kora retries for up to 72 hours: one row
-- per event, reference and status.

CREATE TABLE kora_webhooks (
    id                bigserial PRIMARY KEY,
    event             text NOT NULL,
    payment_reference text NOT NULL,         -- ours; '' when Kora sent none
    kora_reference    text NOT NULL,         -- Kora's (KPY-…); '' when none
    status            text NOT NULL,         -- Kora's, trimmed, lower case
    currency          text NOT NULL,
    currency_digits   smallint NOT NULL,
    amount            bigint,                -- what Kora took, minor units; NULL: none readable
    fee               bigint,
    vat               bigint,
    message           text NOT NULL,
    voucher_serial    text NOT NULL,
    voucher_balance   bigint,                -- the (change) voucher's value after the charge
    voucher_expiry    timestamptz,
    change_pin_sealed bytea,                 -- sealbox, bound to the references; NULL: none issued
    body              text,                  -- as received, a change PIN masked; NULL when it could not be masked in place
    body_sealed       bytea NOT NULL,        -- the exact bytes received, sealed
    received_at       timestamptz NOT NULL,
    UNIQUE (event, payment_reference, kora_reference, status)
);
CREATE INDEX kora_webhooks_payment_reference ON kora_webhooks (payment_reference);
CREATE INDEX kora_webhooks_kora_reference ON kora_webhooks (kora_reference);
CREATE INDEX kora_webhooks_received ON kora_webhooks (received_at);
-- A webhook without our reference is matched on Kora's.
CREATE INDEX sales_kora_reference ON sales (kora_reference);

-- The discrepancies report reads a day's chain conflicts.
CREATE INDEX chain_conflicts_detected ON chain_conflicts (detected_at);

-- Deliveries refused (bad signature, unreadable body), for support only:
-- never read as Kora's word, no body kept (it may hold a PIN), capped.
CREATE TABLE kora_webhook_rejects (
    id          bigserial PRIMARY KEY,
    received_at timestamptz NOT NULL,
    reason      text NOT NULL,
    body_sha256 bytea NOT NULL,
    body_bytes  integer NOT NULL,
    remote      text NOT NULL
);
