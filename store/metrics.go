package store

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's own counters plus a collector that reads the
// ledger at scrape time (each query bounded, each over an index).
type metrics struct {
	reg       *prometheus.Registry
	batches   *prometheus.CounterVec
	events    *prometheus.CounterVec
	conflicts prometheus.Counter
	ingest    prometheus.Histogram
	webhooks  *prometheus.CounterVec
}

func newMetrics(l *Ledger, now func() time.Time, loc *time.Location) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "voucherpos_store_batches_total",
			Help: "Event batches received from tills, by result (stored, replay, gap, conflict, refused, unauthorized, forbidden, too_large, error).",
		}, []string{"result"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "voucherpos_store_events_ingested_total",
			Help: "Journal events stored, by till.",
		}, []string{"terminal_id"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "voucherpos_store_chain_conflicts_detected_total",
			Help: "Batches refused because they offered a different event at a seq the server holds.",
		}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "voucherpos_store_kora_webhooks_total",
			Help: "Kora webhooks received, by result (stored, duplicate, bad_signature, bad_body, too_large, not_configured, error).",
		}, []string{"result"}),
		ingest: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "voucherpos_store_ingest_duration_seconds",
			Help:    "Time to verify and store one batch.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
	}
	m.reg.MustRegister(m.batches, m.events, m.conflicts, m.ingest, m.webhooks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&ledgerCollector{l: l, now: now, loc: loc})
	return m
}

var (
	descSales = prometheus.NewDesc("voucherpos_store_sales_today",
		"Sales created today (server's zone), by till, provider and status.", []string{"terminal_id", "provider_code", "status"}, nil)
	descUnresolved = prometheus.NewDesc("voucherpos_store_unresolved_sales",
		"Sales still pending or unknown, by till.", []string{"terminal_id"}, nil)
	descLag = prometheus.NewDesc("voucherpos_store_till_lag_events",
		"Events a till holds that the server does not yet (its head seq less the server's last seq).", []string{"terminal_id"}, nil)
	descLastSeen = prometheus.NewDesc("voucherpos_store_till_last_seen_timestamp_seconds",
		"When a till last posted a batch (Unix time; 0: never).", []string{"terminal_id"}, nil)
	descLastSeq = prometheus.NewDesc("voucherpos_store_till_last_seq",
		"The highest event seq the server holds for a till.", []string{"terminal_id"}, nil)
	descChain = prometheus.NewDesc("voucherpos_store_chain_conflicts",
		"Chain conflicts kept aside, by till; anything above 0 needs a person.", []string{"terminal_id"}, nil)
	descDiscrepancies = prometheus.NewDesc("voucherpos_store_discrepancies",
		"Disagreements today (server's zone) between Kora's webhooks, the tills' sales and their chains, by kind (voucherpos server discrepancies lists them).", []string{"kind"}, nil)
	descUp = prometheus.NewDesc("voucherpos_store_database_up",
		"1 when the ledger answered this scrape's queries.", nil, nil)
)

type ledgerCollector struct {
	l   *Ledger
	now func() time.Time
	loc *time.Location
}

func (c *ledgerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSales, descUnresolved, descLag, descLastSeen, descLastSeq, descChain, descDiscrepancies, descUp} {
		ch <- d
	}
}

func (c *ledgerCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	up := 1.0
	defer func() { ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up) }()
	tills, err := c.l.Tills(ctx)
	if err != nil {
		up = 0
		return
	}
	for _, t := range tills {
		seen := 0.0
		if !t.LastSeen.IsZero() {
			seen = float64(t.LastSeen.UnixMilli()) / 1000
		}
		ch <- prometheus.MustNewConstMetric(descUnresolved, prometheus.GaugeValue, float64(t.Unresolved), t.TerminalID)
		ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, float64(t.Lag()), t.TerminalID)
		ch <- prometheus.MustNewConstMetric(descLastSeen, prometheus.GaugeValue, seen, t.TerminalID)
		ch <- prometheus.MustNewConstMetric(descLastSeq, prometheus.GaugeValue, float64(t.LastSeq), t.TerminalID)
		ch <- prometheus.MustNewConstMetric(descChain, prometheus.GaugeValue, float64(t.Conflicts), t.TerminalID)
	}
	from, to := dayBounds(c.now().In(c.loc))
	rows, err := c.l.pool.Query(ctx, `SELECT terminal_id, provider_code, status, sum(sales)::bigint FROM sales_rollup
		WHERE bucket >= $1 AND bucket < $2 GROUP BY terminal_id, provider_code, status HAVING sum(sales) > 0`, from, to)
	if err != nil {
		up = 0
		return
	}
	defer rows.Close()
	for rows.Next() {
		var till, prov, status string
		var n int64
		if err := rows.Scan(&till, &prov, &status, &n); err != nil {
			up = 0
			return
		}
		ch <- prometheus.MustNewConstMetric(descSales, prometheus.GaugeValue, float64(n), till, prov, status)
	}
	if rows.Err() != nil {
		up = 0
		return
	}
	ds, err := c.l.Discrepancies(ctx, c.now().In(c.loc))
	if err != nil {
		up = 0
		return
	}
	for kind, n := range CountDiscrepancies(ds) {
		ch <- prometheus.MustNewConstMetric(descDiscrepancies, prometheus.GaugeValue, float64(n), string(kind))
	}
}
