-- The report's rollup: each till's sales summed per 15-minute bucket of
-- created_at (UTC-aligned, so a day in any zone whose offset is a multiple
-- of 15 minutes is a whole number of buckets), provider and status,
-- maintained by the ingest in the same transaction as the sales. A day's
-- report reads at most 96 buckets per till and key instead of every sale.

CREATE TABLE sales_rollup (
    bucket          timestamptz NOT NULL,
    terminal_id     text NOT NULL,
    currency        text NOT NULL,
    currency_digits smallint NOT NULL,
    provider_code   text NOT NULL,
    provider_name   text NOT NULL,
    status          text NOT NULL,
    sales           bigint NOT NULL,
    requested       bigint NOT NULL,   -- every sale of the line
    charged         bigint NOT NULL,   -- approved sales only, as fee, vat and the counts below
    fee             bigint NOT NULL,
    vat             bigint NOT NULL,
    change_vouchers bigint NOT NULL,
    partly_paid     bigint NOT NULL,
    PRIMARY KEY (bucket, terminal_id, currency, provider_code, status)
);

INSERT INTO sales_rollup
SELECT date_bin('15 minutes', created_at, '2000-01-01 00:00:00+00'), terminal_id, currency, max(currency_digits),
       provider_code, min(provider_name), status, count(*), sum(amount_requested),
       coalesce(sum(amount_charged) FILTER (WHERE status = 'approved'), 0),
       coalesce(sum(fee) FILTER (WHERE status = 'approved'), 0),
       coalesce(sum(vat) FILTER (WHERE status = 'approved'), 0),
       count(*) FILTER (WHERE status = 'approved' AND change_voucher),
       count(*) FILTER (WHERE status = 'approved' AND amount_charged < amount_requested)
FROM sales GROUP BY 1, terminal_id, currency, provider_code, status;

-- The CSV reads the day's rows in order; the report no longer needs the
-- wide covering index.
DROP INDEX sales_day;
CREATE INDEX sales_created ON sales (created_at);
