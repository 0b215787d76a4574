-- The store's ledger: tills and their tokens, every event each till shipped
-- (its hash chain), the latest snapshot of each sale, and chain conflicts
-- kept aside for a person to look at.

CREATE TABLE tills (
    terminal_id  text PRIMARY KEY,
    token_hash   bytea UNIQUE,              -- SHA-256 of the token; NULL once revoked
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_seen_at timestamptz,
    last_seq     bigint NOT NULL DEFAULT 0,  -- highest seq held
    last_hash    bytea NOT NULL DEFAULT '\x0000000000000000000000000000000000000000000000000000000000000000',
    head_seq     bigint NOT NULL DEFAULT 0   -- the till's newest seq, as it last said
);

CREATE TABLE events (
    terminal_id text NOT NULL REFERENCES tills (terminal_id),
    seq         bigint NOT NULL CHECK (seq > 0),
    hash        bytea NOT NULL,
    payload     text NOT NULL,              -- the canonical bytes, exactly as hashed
    reference   text NOT NULL,
    at          timestamptz NOT NULL,
    kind        text NOT NULL,
    detail      text NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (terminal_id, seq)
);
CREATE INDEX events_reference ON events (reference);

CREATE TABLE sales (
    reference        text PRIMARY KEY,
    terminal_id      text NOT NULL REFERENCES tills (terminal_id),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending','approved','declined','unknown')),
    currency         text NOT NULL,
    currency_digits  smallint NOT NULL,
    amount_requested bigint NOT NULL,
    amount_charged   bigint NOT NULL,
    fee              bigint NOT NULL,
    vat              bigint NOT NULL,
    provider_code    text NOT NULL,
    provider_name    text NOT NULL,
    decline_kind     text NOT NULL,
    decline_message  text NOT NULL,
    pin_last4        text NOT NULL CHECK (length(pin_last4) <= 4),
    phone_last4      text NOT NULL CHECK (length(phone_last4) <= 4),
    kora_reference   text NOT NULL,
    voucher_serial   text NOT NULL,
    voucher_balance  bigint,
    voucher_expiry   timestamptz,
    change_voucher   boolean NOT NULL,
    last_seq         bigint NOT NULL       -- the till's seq of the event this snapshot came with
);
-- The day's report: a range on created_at, grouped by till, provider and
-- status; covering so it reads no heap pages.
CREATE INDEX sales_day ON sales (created_at) INCLUDE (terminal_id, provider_code, provider_name, status,
    amount_requested, amount_charged, fee, vat, change_voucher);
CREATE INDEX sales_till_day ON sales (terminal_id, created_at);
CREATE INDEX sales_lookup ON sales (pin_last4, amount_requested);
CREATE INDEX sales_unresolved ON sales (terminal_id) WHERE status IN ('pending','unknown');

CREATE TABLE chain_conflicts (
    id             bigserial PRIMARY KEY,
    terminal_id    text NOT NULL REFERENCES tills (terminal_id),
    seq            bigint NOT NULL,
    held_hash      bytea,                  -- what the server holds at seq (NULL: a broken link at the head)
    offered_hash   bytea NOT NULL,
    offered_payload text NOT NULL,
    detected_at    timestamptz NOT NULL,
    UNIQUE (terminal_id, seq, offered_hash)
);
