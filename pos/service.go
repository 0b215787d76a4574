package pos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"voucherpos/kora"
	"voucherpos/pos/config"
	"voucherpos/pos/journal"
)

// Service is the till: it validates orders, charges vouchers through Kora,
// keeps the journal, and resolves every sale whose outcome is unknown. The
// screens talk only to it.
type Service struct {
	cfg       *config.Config
	cur       Currency
	max       Money
	client    *kora.Client
	journal   *journal.Journal
	log       *slog.Logger
	now       func() time.Time
	version   string
	providers []config.Provider
	policy    Policy
	printer   Printer

	mu        sync.Mutex
	inflight  map[string]bool // references with a request on the wire
	busy      sync.WaitGroup  // one per inflight reference
	listeners []func(Sale)

	wake chan struct{}

	// store ships the journal to the store server (storesync.go); nil
	// without [store_server].
	store *storeSync

	// hooks let the crash tests stop the till between its steps.
	hooks struct{ afterPending, beforeRecord func(ref string) }
}

// Policy sets how unresolved sales are chased.
type Policy struct {
	// RetryBase and RetryMax bound the backoff between queries of one sale.
	RetryBase, RetryMax time.Duration
	// NotFoundGrace: "Charge not found" counts as declined only when Kora
	// says it again at least this long after first saying it, and this long
	// after the request's own timeout ran out.
	NotFoundGrace time.Duration
}

// DefaultPolicy is the production policy.
var DefaultPolicy = Policy{RetryBase: 2 * time.Second, RetryMax: time.Minute, NotFoundGrace: time.Minute}

// ErrNoAnswer: a retry asked Kora first whether it already has the sale,
// and got no clear answer; nothing new was sent.
var ErrNoAnswer = errors.New("kora gave no clear answer about this sale; nothing new was sent")

// Options for Open.
type Options struct {
	Logger     *slog.Logger
	Now        func() time.Time
	Version    string
	HTTPClient *http.Client // tests: to trust a TLS test server
	Policy     Policy       // zero → DefaultPolicy
	// ReadOnly opens the journal for reading only (history, reports), with
	// no lock and no Kora client.
	ReadOnly bool
	// NoJournal opens no journal at all, only the Kora client and the
	// printer: for "voucherpos check", which checks the journal apart
	// (CheckJournal), so a till holding it does not stop the rest.
	NoJournal bool
	// FreshJournal starts the journal empty (demo mode).
	FreshJournal bool
	// Stdout receives slips when receipt.printer is "stdout"; nil means
	// os.Stdout.
	Stdout io.Writer
}

// Open builds the till from a checked config: its journal (locked) and its
// Kora client. Nothing is sent to Kora.
func Open(cfg *config.Config, opts Options) (*Service, error) {
	cur, err := LookupCurrency(cfg.Store.Currency)
	if err != nil {
		return nil, err
	}
	maxAmt, err := kora.ParseAmount(cfg.Store.MaxAmount)
	if err != nil {
		return nil, fmt.Errorf("store.max_amount: %w", err)
	}
	maxMoney, err := cur.FromAmount(maxAmt)
	if err != nil {
		return nil, fmt.Errorf("store.max_amount: %w", err)
	}
	s := &Service{
		cfg: cfg, cur: cur, max: maxMoney, log: opts.Logger, now: opts.Now, version: opts.Version,
		providers: cfg.Providers, policy: opts.Policy,
		inflight: map[string]bool{}, wake: make(chan struct{}, 1),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.version == "" {
		s.version = "dev"
	}
	if s.policy == (Policy{}) {
		s.policy = DefaultPolicy
	}
	stdout := opts.Stdout
	if stdout == nil {
		stdout = os.Stdout
	}
	if s.printer, err = NewPrinter(cfg.Receipt.Printer, cfg.Receipt.ESCPOS, stdout); err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		kopts := []kora.Option{kora.WithTimeout(cfg.Kora.Timeout), kora.WithUserAgent("voucherpos/" + s.version)}
		if s.debugOn() {
			kopts = append(kopts, kora.WithHTTPClient(debugHTTPClient(opts.HTTPClient, s.log)))
		} else if opts.HTTPClient != nil {
			kopts = append(kopts, kora.WithHTTPClient(opts.HTTPClient))
		}
		if s.client, err = kora.New(cfg.Kora.BaseURL, cfg.Kora.Secret(), kopts...); err != nil {
			return nil, err
		}
	}
	if opts.NoJournal {
		return s, nil
	}
	if err := s.openJournal(opts.ReadOnly, opts.FreshJournal); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenJournal opens (and locks) the journal of a Service that Open made
// with NoJournal, and starts shipping to the store server when one is
// configured: the till's screens start while it runs. Meanwhile only the
// methods that read the config alone may be called (Now, Currency,
// MaxAmount, Providers, ParseAmount, HasPrinter, PrinterName, Config);
// Opening is the Service the screens use meanwhile, which keeps to that. fresh starts the journal
// empty (demo mode).
func (s *Service) OpenJournal(fresh bool) error { return s.openJournal(false, fresh) }

func (s *Service) openJournal(readOnly, fresh bool) error {
	j, err := journal.Open(s.cfg.Journal.Path, journal.Options{Secret: s.cfg.Kora.Secret(), ReadOnly: readOnly, Fresh: fresh})
	if err != nil {
		return err
	}
	s.journal = j
	if !readOnly {
		if err := s.openStoreSync(); err != nil {
			j.Close()
			s.journal = nil
			return err
		}
	}
	return nil
}

// Now is the till's clock: every time the till shows, stores or sends
// comes from it (tests set Options.Now).
func (s *Service) Now() time.Time { return s.now() }

// Close waits (a bounded while) for requests on the wire to be recorded,
// then closes the journal. A request still unanswered then stays pending
// in the journal, to be resolved at the next start.
func (s *Service) Close() error {
	done := make(chan struct{})
	go func() { s.busy.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeWait):
		s.log.Warn("closing with requests still on the wire; they stay pending for the next start")
	}
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
	s.closeStoreSync()
	if s.journal == nil {
		return nil
	}
	return s.journal.Close()
}

// InFlight counts the sales with a request to Kora on the wire.
func (s *Service) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.inflight)
}

// closeWait bounds how long Close waits for requests on the wire.
const closeWait = 10 * time.Second

// Currency is the till's currency.
func (s *Service) Currency() Currency { return s.cur }

// MaxAmount is the most one sale may charge.
func (s *Service) MaxAmount() Money { return s.max }

// Provider is a configured voucher provider.
type Provider = config.Provider

// Providers lists the configured providers in order.
func (s *Service) Providers() []Provider { return s.providers }

// Config is the till's configuration.
func (s *Service) Config() *config.Config { return s.cfg }

// JournalPath is where the journal lives.
func (s *Service) JournalPath() string { return s.journal.Path() }

// OnUpdate registers fn to hear of every sale that becomes final through a
// query (the reconciler or Resolve). fn must not block.
func (s *Service) OnUpdate(fn func(Sale)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listeners = append(s.listeners, fn)
}

func (s *Service) tell(sale Sale) {
	s.mu.Lock()
	ls := append([]func(Sale){}, s.listeners...)
	s.mu.Unlock()
	for _, fn := range ls {
		fn(sale)
	}
}

// provider finds a configured provider by code.
func (s *Service) provider(code string) (config.Provider, bool) {
	for _, p := range s.providers {
		if p.Code == code {
			return p, true
		}
	}
	return config.Provider{}, false
}

// ParseAmount reads what the cashier typed as an amount.
func (s *Service) ParseAmount(input string) (Money, error) {
	return s.cur.ParseInput(input, s.max)
}

// Validate checks and normalises an order: the provider exists, the PIN is
// the provider's length in digits, the phone becomes E.164, the email
// defaults to the store's. Errors are *InputError.
func (s *Service) Validate(o Order) (Order, error) {
	if o.Amount <= 0 {
		return o, inputError(FieldAmount, ErrAmountZero)
	}
	if s.max > 0 && o.Amount > s.max {
		return o, s.cur.tooLargeError(s.max)
	}
	p, ok := s.provider(o.ProviderCode)
	if !ok {
		return o, &InputError{Field: FieldProvider, Reason: ErrProviderUnknown, Got: o.ProviderCode}
	}
	pin, err := NormalizePIN(o.PIN, p.PinLength)
	if err != nil {
		return o, err
	}
	phone, err := NormalizePhone(o.Phone, s.cfg.Store.Country)
	if err != nil {
		return o, err
	}
	email, err := NormalizeEmail(o.Email, s.cfg.Store.CustomerEmail)
	if err != nil {
		return o, err
	}
	o.PIN, o.Phone, o.Email = pin, phone, email
	return o, nil
}

// Submit charges one order. The sale is written as pending before anything
// is sent; the outcome is written when Kora answers. The returned sale is
// Approved, Declined (with a DeclineKind) or Unknown — an unknown sale is
// resolved by the reconciler, never by charging again. The error is non-nil
// only when nothing was sent (a bad order, a journal that cannot be written).
func (s *Service) Submit(ctx context.Context, o Order) (Sale, error) {
	o, err := s.Validate(o)
	if err != nil {
		return Sale{}, err
	}
	p, _ := s.provider(o.ProviderCode)
	if o.Retry != "" {
		return s.retry(ctx, o)
	}
	now := s.now()
	js := journal.Sale{
		Reference: NewReference(s.cfg.Store.TerminalID, now), CreatedAt: now, TerminalID: s.cfg.Store.TerminalID,
		Currency: s.cur.Code, AmountRequested: int64(o.Amount), ProviderCode: p.Code, ProviderName: p.Name,
		PINLast4: PINLast4(o.PIN), Phone: o.Phone, Email: o.Email,
	}
	if !s.claim(js.Reference) {
		return Sale{}, errors.New("pos: reference already in flight")
	}
	defer s.release(js.Reference)
	if err := s.journal.Create(ctx, js); err != nil {
		return Sale{}, fmt.Errorf("the sale could not be written to the journal, so nothing was sent: %w", err)
	}
	s.log.Info("sale pending", "reference", js.Reference, "amount", s.cur.Plain(o.Amount), "provider", p.Code, "pin", "****"+js.PINLast4)
	if s.hooks.afterPending != nil {
		s.hooks.afterPending(js.Reference)
	}
	sale, err := s.send(ctx, js.Reference, o)
	if err == nil {
		s.logState(js.Reference, Pending, sale.Status, "charge answered")
	}
	return sale, err
}

// retry sends a sale that never reached Kora again, under its own
// reference, after asking Kora first whether it has it after all.
func (s *Service) retry(ctx context.Context, o Order) (Sale, error) {
	ref := o.Retry
	if !s.claim(ref) {
		return Sale{}, errors.New("pos: this sale is already being sent")
	}
	defer s.release(ref)
	js, err := s.journal.Get(ctx, ref)
	if err != nil {
		return Sale{}, err
	}
	if js.AmountRequested != int64(o.Amount) || js.ProviderCode != o.ProviderCode || js.PINLast4 != PINLast4(o.PIN) {
		return Sale{}, errors.New("pos: a retry must send the same amount, provider and voucher; start a new sale instead")
	}
	if js.Status != journal.Declined || js.DeclineKind != string(DeclineNotSent) {
		// Never a second charge: an unresolved sale is queried, a final
		// one is what it is.
		if js.Status.Unresolved() {
			return s.resolveLocked(ctx, js)
		}
		return s.sale(ctx, js), nil
	}
	ch, qerr := s.client.QueryCharge(ctx, ref)
	switch {
	case qerr == nil:
		// Kora has it after all: its record is the truth.
		return s.recordCharge(ctx, ref, ch, "queried")
	case errors.Is(qerr, kora.ErrChargeNotFound):
		// Expected: send it again under the same reference.
	default:
		s.log.Warn("retry query failed", "reference", ref, "err", qerr)
		if errors.Is(qerr, kora.ErrNotSent) {
			return s.sale(ctx, js), nil // still offline: nothing sent, nothing changed
		}
		return Sale{}, fmt.Errorf("%w (%s): %w", ErrNoAnswer, ref, qerr)
	}
	if err := s.journal.Reopen(ctx, ref, s.now()); err != nil {
		return Sale{}, err
	}
	return s.send(ctx, ref, o)
}

// send POSTs the charge for a pending sale and records what came back.
func (s *Service) send(ctx context.Context, ref string, o Order) (Sale, error) {
	res, err := s.client.ChargeVoucher(ctx, kora.VoucherCharge{
		Amount:            s.cur.Amount(o.Amount),
		Currency:          s.cur.Code,
		MerchantBearsCost: s.cfg.Kora.MerchantBearsCost,
		NotificationURL:   s.notificationURL(),
		Description:       ChargeDescription(ref, s.cfg.Store.Name),
		Reference:         ref,
		PIN:               o.PIN,
		PhoneNumber:       o.Phone,
		ProviderCode:      o.ProviderCode,
		CustomerEmail:     o.Email,
		Metadata:          ChargeMetadata(s.cfg.Store.TerminalID, s.version),
	})
	if s.hooks.beforeRecord != nil {
		s.hooks.beforeRecord(ref)
	}
	if err == nil {
		return s.recordCharge(ctx, ref, &res.Charge, "charged")
	}
	sale, rerr := s.recordError(ctx, ref, err)
	if rerr == nil && sale.Status == Unknown && errors.Is(err, kora.ErrUnauthorized) {
		// Kora: a refused key on a charge "does not indicate any error
		// with your request. Requery the transaction". Ask at once, under
		// the claim this send holds; a refused query leaves it KeyRefused.
		if js, gerr := s.journal.Get(ctx, ref); gerr == nil {
			return s.resolveLocked(ctx, js)
		}
	}
	return sale, rerr
}

// ChargeDescription is a charge's description: it starts with the till's
// reference, so a pay-in in Kora's history (which lists only Kora's own
// reference) can be matched to its sale.
func ChargeDescription(ref, store string) string {
	return ref + " voucher sale at " + store
}

// ChargeMetadata is what every charge carries as metadata, under keys Kora
// accepts (at most 5, each at most 20 characters of A–Z a–z 0–9 -). Values
// are the till's config and build, never the PIN.
func ChargeMetadata(terminalID, version string) map[string]string {
	return map[string]string{"terminal-id": terminalID, "app-version": version}
}

// recordError records a failed charge: not sent, declined, or unknown.
func (s *Service) recordError(ctx context.Context, ref string, err error) (Sale, error) {
	now := s.now()
	var ke *kora.Error
	out := journal.Outcome{Event: "charge"}
	switch {
	case errors.Is(err, kora.ErrNotSent):
		out.Status, out.DeclineKind = journal.Declined, string(DeclineNotSent)
		out.DeclineMessage = "Kora could not be reached; nothing was charged."
		out.Detail = "not sent: " + err.Error()
	case errors.Is(err, kora.ErrDuplicateReference):
		// Kora already has this reference: whatever it did is the outcome.
		out.Status, out.Detail = journal.Unknown, "duplicate reference: "+err.Error()
	case errors.As(err, &ke) && ke.Declined():
		kind := declineKindOf(err)
		out.Status, out.DeclineKind, out.DeclineMessage = journal.Declined, string(kind), ke.Message
		out.Detail = fmt.Sprintf("declined %d: %s", ke.StatusCode, ke.Message)
	default:
		// Timeout, dropped connection, 5xx, garbled body: the charge may
		// have happened. Only a query may say.
		out.Status, out.Detail = journal.Unknown, "outcome unknown: "+err.Error()
	}
	s.log.Info("sale "+string(out.Status), "reference", ref, "detail", out.Detail)
	if werr := s.journal.Record(ctx, ref, now, out); werr != nil {
		// The pending row stays: the reconciler will resolve it.
		s.log.Error("journal write failed", "reference", ref, "err", werr)
		return Sale{}, fmt.Errorf("the outcome could not be written to the journal; it will be checked again: %w", werr)
	}
	if out.Status == journal.Unknown {
		s.kick()
	}
	js, gerr := s.journal.Get(ctx, ref)
	if gerr != nil {
		return Sale{}, gerr
	}
	return s.sale(ctx, js), nil
}

// recordCharge records a charge Kora reported (from the charge answer or a
// query): success → approved, failed → declined, anything else → unknown.
func (s *Service) recordCharge(ctx context.Context, ref string, ch *kora.Charge, event string) (Sale, error) {
	now := s.now()
	out := journal.Outcome{Event: event, KoraReference: ch.TransactionReference}
	switch ch.Status.Verdict() { // kora's one table of statuses
	case kora.VerdictApproved:
		out.Status = journal.Approved
		charged, _ := ch.Charged() // amount_paid, else amount; kora refuses a success without one
		out.AmountCharged = int64(s.money(charged))
		out.Fee = int64(s.money(ch.Fee))
		out.VAT = int64(s.money(ch.VAT))
		if v := ch.Voucher; v != nil {
			out.VoucherSerial, out.VoucherExpiry, out.ChangePIN = v.SerialNumber, v.ExpiryDate, v.PIN
			out.VoucherBalance, out.HasBalance = int64(s.money(v.Balance)), true
		}
		out.Detail = fmt.Sprintf("approved %s charged, kora %s", s.cur.Plain(Money(out.AmountCharged)), ch.TransactionReference)
		if !ch.HasFee {
			out.Detail += feeNotReported
		}
	case kora.VerdictDeclined:
		out.Status = journal.Declined
		out.DeclineKind = string(DeclineOther)
		if k := kora.FailureKind(ch.Message); k != nil {
			out.DeclineKind = string(declineKindOf(k))
		}
		out.DeclineMessage = ch.Message
		if out.DeclineMessage == "" {
			out.DeclineMessage = "Kora marked the charge as " + ch.RawStatus + "."
		}
		out.Detail = ch.RawStatus + ": " + ch.Message
	default:
		// processing, pending, or a status kora's table has never seen.
		out.Status = journal.Unknown
		out.Detail = koraStatusDetail + ch.RawStatus
	}
	s.log.Info("sale "+string(out.Status), "reference", ref, "detail", out.Detail)
	if err := s.journal.Record(ctx, ref, now, out); err != nil {
		s.log.Error("journal write failed", "reference", ref, "err", err)
		return Sale{}, fmt.Errorf("the outcome could not be written to the journal; it will be checked again: %w", err)
	}
	if out.Status == journal.Unknown {
		s.kick()
	}
	js, err := s.journal.Get(ctx, ref)
	if err != nil {
		return Sale{}, err
	}
	sale := s.sale(ctx, js)
	sale.ChangePIN = out.ChangePIN
	return sale, nil
}

// Event details the till writes and reads back for what the journal has
// no column for.
const (
	koraStatusDetail = "kora status "
	keyRefusedDetail = "key refused: "
	feeNotReported   = ", fee not reported"
)

// fromEvents fills in what a sale's last events say: the status Kora last
// reported for an unresolved sale, a refused key, a fee Kora did not
// report. Only sales that can need it are looked at.
func (s *Service) fromEvents(ctx context.Context, out *Sale) {
	unresolved := out.Status == Pending || out.Status == Unknown
	if !unresolved && (out.Status != Approved || out.Fee != 0) {
		return
	}
	evs, err := s.journal.Events(ctx, out.Reference)
	if err != nil {
		return
	}
	lastAnswer := true // the latest check or charge event is still ahead
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		if !unresolved {
			if strings.HasPrefix(e.Detail, "approved ") {
				out.FeeUnknown = strings.HasSuffix(e.Detail, feeNotReported)
				return
			}
			continue
		}
		switch e.Kind {
		case "checked", "charge", "charged", "queried":
		default:
			continue
		}
		if lastAnswer {
			out.KeyRefused = strings.HasPrefix(e.Detail, keyRefusedDetail)
			lastAnswer = false
		}
		if st, ok := strings.CutPrefix(e.Detail, koraStatusDetail); ok {
			out.KoraStatus = st
			return
		}
	}
}

// money converts a Kora amount to minor units, rounding half up any
// precision beyond the currency's (a fee of 0.015 is shown as 0.02).
func (s *Service) money(a kora.Amount) Money {
	if m, err := s.cur.FromAmount(a); err == nil {
		return m
	}
	text := a.String()
	neg := strings.HasPrefix(text, "-")
	text = strings.TrimPrefix(text, "-")
	intPart, frac, _ := strings.Cut(text, ".")
	d := s.cur.Digits
	keep, rest := frac[:min(d, len(frac))], frac[min(d, len(frac)):]
	trunc, err := kora.ParseAmount(intPart + "." + keep + strings.Repeat("0", d-len(keep)+1))
	if err != nil {
		return 0
	}
	m, _ := s.cur.FromAmount(trunc)
	if len(rest) > 0 && rest[0] >= '5' {
		m++
	}
	if neg {
		m = -m
	}
	return m
}

// sale turns a journal row into a Sale.
// Its times are in the till's zone, the clock's, wherever they are shown.
func (s *Service) sale(ctx context.Context, js journal.Sale) Sale {
	out := saleFrom(js, s.cur)
	s.fromEvents(ctx, &out)
	loc := s.now().Location()
	out.CreatedAt, out.UpdatedAt = out.CreatedAt.In(loc), out.UpdatedAt.In(loc)
	return out
}

// Get returns one sale by reference.
func (s *Service) Get(ctx context.Context, ref string) (Sale, error) {
	js, err := s.journal.Get(ctx, ref)
	if err != nil {
		return Sale{}, err
	}
	return s.sale(ctx, js), nil
}

// ChangePIN returns the change-voucher PIN issued with a sale ("" if none),
// decrypted from the journal, for a slip or a supervisor's reprint.
func (s *Service) ChangePIN(ctx context.Context, ref string) (string, error) {
	return s.journal.ChangePIN(ctx, ref)
}

// Day returns the sales created on the local calendar day of t, all in
// memory: DayWindow, DayReport and EachOfDay read a busy day in pieces.
func (s *Service) Day(ctx context.Context, t time.Time) ([]Sale, error) {
	from, to := dayRange(t)
	rows, err := s.journal.List(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]Sale, len(rows))
	for i, r := range rows {
		out[i] = s.sale(ctx, r)
	}
	return out, nil
}

// Unresolved counts sales still pending or unknown.
func (s *Service) Unresolved(ctx context.Context) (int, error) {
	return s.journal.CountUnresolved(ctx)
}

// AddEvent notes something that happened to a sale (printed, reprinted).
func (s *Service) AddEvent(ctx context.Context, ref, kind, detail string) error {
	return s.journal.AddEvent(ctx, ref, s.now(), kind, detail)
}

// claim marks a reference as having a request on the wire, so the
// reconciler leaves it alone until the answer is recorded.
func (s *Service) claim(ref string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight[ref] {
		return false
	}
	s.inflight[ref] = true
	s.busy.Add(1)
	return true
}

func (s *Service) release(ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inflight, ref)
	s.busy.Done()
}

// kick wakes the background reconciler.
func (s *Service) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
