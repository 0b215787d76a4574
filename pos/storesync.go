package pos

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"voucherpos/kora"
	"voucherpos/pos/storesync"
	"voucherpos/syncwire"
)

// The store server: with [store_server] url and token_file set, the till
// ships its journal's outbox to the store server in the background
// (storesync.Uploader) and can look sales up across the store. Nothing
// here is on the path of a sale.

// SyncState is where shipping to the store server stands.
type SyncState = storesync.State

// Sync states.
const (
	SyncInSync      = storesync.InSync      // the server holds every event
	SyncWaiting     = storesync.Waiting     // Waiting events not yet acknowledged
	SyncUnreachable = storesync.Unreachable // no answer since Since
	SyncRefused     = storesync.Refused     // the server refuses (chain conflict, token); Reason says why
)

// SyncStatus is the store-server state for the status bar: "sync ✓",
// "sync: 12 waiting", "store server unreachable since 10:42".
type SyncStatus struct {
	Enabled bool // a store server is configured
	State   SyncState
	Waiting int64     // events the server does not hold yet
	Since   time.Time // Unreachable/Refused since (in the till's zone)
	Synced  time.Time // last time the server held everything
	Reason  string    // for support: why unreachable or refused
}

// ErrNoStoreServer: no [store_server] is configured.
var ErrNoStoreServer = errors.New("no store server is configured")

type storeSync struct {
	up     *storesync.Uploader
	client *storesync.Client
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// openStoreSync starts the uploader when the config names a store server.
func (s *Service) openStoreSync() error {
	st := s.cfg.StoreServer
	if !st.Enabled() {
		return nil
	}
	token, err := storesync.ReadToken(st.TokenFile)
	if err != nil {
		return err
	}
	up, err := storesync.New(s.journal, storesync.Options{URL: st.URL, Token: token, TerminalID: s.cfg.Store.TerminalID,
		Logger: s.log, Now: s.now})
	if err != nil {
		return err
	}
	client, err := storesync.NewClient(st.URL, token, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	ss := &storeSync{up: up, client: client, cancel: cancel, done: make(chan struct{})}
	s.store = ss
	s.journal.OnAppend(up.Kick)
	go func() {
		defer close(ss.done)
		up.Run(ctx)
	}()
	return nil
}

// closeStoreSync stops the uploader (a bounded while for a request on the
// wire). What it had not sent is in the journal for the next start.
func (s *Service) closeStoreSync() {
	ss := s.store
	if ss == nil {
		return
	}
	ss.once.Do(func() {
		ss.cancel()
		select {
		case <-ss.done:
		case <-time.After(5 * time.Second):
		}
	})
}

// SyncNow asks the uploader to try the store server again at once, cutting
// short the backoff after a failure (e.g. a "retry" key). Never blocks.
func (s *Service) SyncNow() {
	if s.store != nil {
		s.store.up.RetryNow()
	}
}

// StoreEnabled reports whether a store server is configured.
func (s *Service) StoreEnabled() bool { return s.store != nil }

// SyncStatus is the store-server state now; cheap, safe to poll.
func (s *Service) SyncStatus() SyncStatus {
	if s.store == nil {
		return SyncStatus{}
	}
	st := s.syncStatus(s.store.up.Status())
	// The uploader learns of new events when it next looks; the journal
	// knows now. Two small reads, so a poll never shows a stale "in sync".
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	head, err1 := s.journal.OutboxHead(ctx)
	acked, err2 := s.journal.OutboxAcked(ctx)
	if err1 == nil && err2 == nil && head >= acked {
		st.Waiting = head - acked
		if st.Waiting > 0 && st.State == SyncInSync {
			st.State = SyncWaiting
		}
	}
	return st
}

func (s *Service) syncStatus(st storesync.Status) SyncStatus {
	loc := s.now().Location()
	out := SyncStatus{Enabled: true, State: st.State, Waiting: st.Waiting, Reason: st.Reason}
	if !st.Since.IsZero() {
		out.Since = st.Since.In(loc)
	}
	if !st.Synced.IsZero() {
		out.Synced = st.Synced.In(loc)
	}
	return out
}

// OnSyncChange registers fn to be told of each change of SyncStatus, from
// the uploader's goroutine: fn must not block (send a tea message).
func (s *Service) OnSyncChange(fn func(SyncStatus)) {
	if s.store == nil {
		return
	}
	s.store.up.OnChange(func(st storesync.Status) { fn(s.syncStatus(st)) })
}

// StoreSale looks a sale up on the store server by our reference, from any
// till of the store; read-only. journal.ErrNotFound-like misses are
// storesync.ErrNotFound.
func (s *Service) StoreSale(ctx context.Context, reference string) (Sale, []StoreEvent, error) {
	if s.store == nil {
		return Sale{}, nil, ErrNoStoreServer
	}
	l, err := s.store.client.Sale(ctx, reference)
	if err != nil {
		return Sale{}, nil, err
	}
	evs := make([]StoreEvent, 0, len(l.Events))
	for _, e := range l.Events {
		at, _ := syncwire.ParseTime(e.At)
		evs = append(evs, StoreEvent{At: at.In(s.now().Location()), Kind: e.Kind, Detail: e.Detail})
	}
	return s.fromStore(l.Sale), evs, nil
}

// StoreFind looks sales up across the store by the voucher PIN's last 4
// digits and the amount asked, newest first; read-only.
func (s *Service) StoreFind(ctx context.Context, pinLast4 string, amount Money) ([]Sale, error) {
	if s.store == nil {
		return nil, ErrNoStoreServer
	}
	found, err := s.store.client.Find(ctx, pinLast4, s.cur.Plain(amount))
	if err != nil {
		return nil, err
	}
	out := make([]Sale, len(found))
	for i, f := range found {
		out[i] = s.fromStore(f)
	}
	return out, nil
}

// StoreEvent is one line of a sale's history as the store server holds it.
type StoreEvent struct {
	At     time.Time
	Kind   string
	Detail string
}

// fromStore turns a store snapshot into a Sale (no PIN, no change PIN,
// the phone as its last 4).
func (s *Service) fromStore(w syncwire.Sale) Sale {
	cur, err := LookupCurrency(w.Currency)
	if err != nil {
		cur = Currency{Code: strings.ToUpper(w.Currency), Digits: w.CurrencyDigits}
	}
	loc := s.now().Location()
	at := func(v string) time.Time {
		t, _ := syncwire.ParseTime(v)
		if t.IsZero() {
			return t
		}
		return t.In(loc)
	}
	out := Sale{
		Reference: w.Reference, CreatedAt: at(w.CreatedAt), UpdatedAt: at(w.UpdatedAt), TerminalID: w.TerminalID,
		Status: Status(w.Status), Currency: cur, Requested: Money(w.AmountRequested), Charged: Money(w.AmountCharged),
		Fee: Money(w.Fee), VAT: Money(w.VAT), ProviderCode: w.ProviderCode, ProviderName: w.ProviderName,
		PINLast4: w.PINLast4, KoraReference: w.KoraReference, VoucherSerial: w.VoucherSerial,
		Expiry: at(w.VoucherExpiry), HasChangePIN: w.ChangeVoucher, DeclineKind: DeclineKind(w.DeclineKind),
		DeclineMessage: w.DeclineMessage,
	}
	if w.PhoneLast4 != "" {
		out.Phone = "****" + w.PhoneLast4
	}
	if w.VoucherBalance != nil {
		out.Balance, out.HasBalance = Money(*w.VoucherBalance), true
	}
	return out
}

// notificationURL is the charge's notification_url: [kora]
// notification_url when set, else the store server's public webhook URL
// ([store_server] public_webhook_url), so that Kora's webhooks reach the
// server that can receive them for a till behind a shop router.
func (s *Service) notificationURL() string {
	if u := s.cfg.Kora.NotificationURL; u != "" {
		return u
	}
	return s.cfg.StoreServer.PublicWebhookURL
}

// storeAskTimeout bounds one question to the store server from the
// reconciler: it is asked beside Kora, never instead of the next check.
const storeAskTimeout = 5 * time.Second

// webhookCharge asks the store server what Kora's verified webhooks said of
// a sale, and returns it as a final charge, or nil when the server is not
// configured, unreachable, holds no webhook for it, or holds one that is
// not final or does not fit this till (another currency, no amount on a
// success). The change voucher comes only to the till that made the sale.
func (s *Service) webhookCharge(ctx context.Context, ref string) *kora.Charge {
	if s.store == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, storeAskTimeout)
	defer cancel()
	l, err := s.store.client.Sale(ctx, ref)
	if err != nil {
		if !errors.Is(err, storesync.ErrNotFound) {
			s.log.Debug("store server not asked about the webhook", "reference", ref, "err", err)
		}
		return nil
	}
	k := l.Kora
	if k == nil || l.Sale.TerminalID != s.cfg.Store.TerminalID {
		return nil
	}
	ch := &kora.Charge{Reference: ref, TransactionReference: k.KoraReference, Status: kora.ChargeStatus(k.Status),
		RawStatus: k.Status, Currency: k.Currency, Message: k.Message}
	if !ch.Status.Final() || !strings.EqualFold(k.Currency, s.cur.Code) || k.CurrencyDigits != s.cur.Digits {
		return nil
	}
	amount := func(v *int64) (kora.Amount, bool) {
		if v == nil {
			return kora.Amount{}, false
		}
		return kora.NewAmount(*v, k.CurrencyDigits), true
	}
	ch.Amount, ch.HasAmount = amount(k.Amount)
	ch.Fee, ch.HasFee = amount(k.Fee)
	ch.VAT, ch.HasVAT = amount(k.VAT)
	if ch.Status.Verdict() == kora.VerdictApproved && !ch.HasAmount {
		return nil
	}
	if k.VoucherSerial != "" || k.ChangeVoucher != nil {
		v := &kora.IssuedVoucher{SerialNumber: k.VoucherSerial}
		if b, ok := amount(k.VoucherBalance); ok {
			v.Balance = b
		}
		v.ExpiryDate, _ = syncwire.ParseTime(k.VoucherExpiry)
		if cv := k.ChangeVoucher; cv != nil {
			v.PIN, v.SerialNumber, v.Balance = cv.PIN, cv.Serial, kora.NewAmount(cv.Value, k.CurrencyDigits)
			if t, err := syncwire.ParseTime(cv.Expiry); err == nil && !t.IsZero() {
				v.ExpiryDate = t
			}
		}
		ch.Voucher = v
	}
	return ch
}
