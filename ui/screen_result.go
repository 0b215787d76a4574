package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// The screens of a submitted sale: Submitting while Kora is asked, then
// Approved, Declined, or Checking while the outcome is unknown.

// changePINMsg brings a change voucher's PIN, read from the journal, to
// the sale it belongs to.
type changePINMsg struct {
	sale pos.Sale
	err  error
}

// onResult moves to the screen for a submitted sale's outcome. A result
// ignores keys for a moment (the grace overlay): an extra Enter meant for
// the last screen must not start the next sale.
func (m *model) onResult(s pos.Sale, err error) tea.Cmd {
	m.out.failure = nil
	if err != nil {
		var fe *pos.InputError
		if errors.As(err, &fe) {
			m.goField(fe.Field)
			m.entry.fieldErr = m.fieldWords(fe)
			return nil
		}
		m.out.failure = failureFor(err)
		m.state = stateDeclined
		m.grace()
		return nil
	}
	m.out.sale, m.out.resultAt = s, m.now()
	m.entry.retryRef = ""
	switch s.Status {
	case pos.Approved:
		m.state = stateApproved
		m.print.lastApproved, m.print.note = s.Reference, ""
		m.grace()
		if m.till.HasPrinter() {
			return m.printCmd(s.Reference)
		}
	case pos.Declined:
		m.state = stateDeclined
		if s.DeclineKind == pos.DeclineNotSent {
			m.entry.retryRef = s.Reference
		}
		m.grace()
	default:
		m.state = stateChecking
		// A sale Kora's key refusal holds will not settle while the cashier
		// waits: it can be parked at once.
		m.out.parkable = s.KeyRefused
		m.out.lastCheck = m.now() // the reconciler has just been woken for it
		return m.tick()
	}
	return nil
}

// onUpdate hears of a sale that the reconciler resolved.
func (m *model) onUpdate(s pos.Sale) tea.Cmd {
	cmds := []tea.Cmd{m.countCmd()}
	switch {
	case m.state == stateChecking && s.Reference == m.out.sale.Reference:
		if !s.Final() {
			m.out.sale = s
			m.out.parkable = m.out.parkable || s.KeyRefused
		} else if s.HasChangePIN && s.ChangePIN == "" {
			cmds = append(cmds, m.changePINCmd(s))
		} else {
			cmds = append(cmds, m.onResult(s, nil))
		}
	case s.Final() && s.Reference != m.out.sale.Reference:
		m.notice = "Parked sale " + s.Currency.Format(s.Requested) + " is now " + strings.ToUpper(string(s.Status))
		if s.HasChangePIN {
			// Its new PIN was never on screen: the slip is how it reaches
			// the customer.
			m.notice += " with a change voucher: reprint its slip from History (h)"
		}
	}
	if m.state == stateHistory || m.state == stateDetail {
		cmds = append(cmds, m.historyCmd())
	}
	return tea.Batch(cmds...)
}

// changePINCmd reads a resolved sale's change-voucher PIN off Update's
// path.
func (m *model) changePINCmd(s pos.Sale) tea.Cmd {
	till := m.till
	return func() tea.Msg {
		pin, err := till.ChangePIN(context.Background(), s.Reference)
		s.ChangePIN = pin
		return changePINMsg{s, err}
	}
}

func (m *model) onChangePIN(msg changePINMsg) {
	if m.state != stateChecking || msg.sale.Reference != m.out.sale.Reference {
		return
	}
	if msg.err != nil {
		m.notice = "The change voucher's PIN could not be read: reprint its slip from History."
	}
	m.onResult(msg.sale, nil)
}

// fixDecline goes where the decline's fix is, keeping what was typed.
func (m *model) fixDecline() {
	d := m.declineShown()
	if d.clearPIN {
		m.entry.pin = ""
	}
	m.out.failure = nil
	if d.next == stateConfirm {
		m.toConfirm()
		return
	}
	m.state = d.next
	m.entry.amountFresh = d.next == stateAmount
	m.entry.returnToConfirm = true
}

// declineShown is the decline on screen: the till's own failure, or Kora's.
func (m *model) declineShown() decline {
	if m.out.failure != nil {
		return *m.out.failure
	}
	d := declineFor(m.out.sale, m.currentProvider().Name)
	if w, ok := kioskWords[m.out.sale.DeclineKind]; ok && m.opts.Kiosk {
		d.sentence = w
	}
	return d
}

type submittingScreen struct{}

// Submitting takes no key that could start a second charge: only Ctrl+C,
// which asks first.
func (submittingScreen) bindings(m *model) (bar, more []key.Binding) {
	return []key.Binding{m.keys.Quit}, nil
}

func (submittingScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd { return nil }

func (submittingScreen) view(m *model) []string {
	return []string{
		m.st.Title.Render(m.spinner() + " Charging " + m.till.Currency().Format(m.entry.amount) + " " + m.elapsed()),
		"",
		m.st.Hint.Render("Waiting for Kora. Keys are ignored"),
		m.st.Hint.Render("until the answer comes."),
	}
}

type approvedScreen struct{}

func (approvedScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.NewSale, k.Print, k.Preview, k.History}, []key.Binding{k.Report}
}

func (approvedScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case matches(msg, k.NewSale):
		m.newSale()
	case matches(msg, k.Print):
		return m.printCmd(m.out.sale.Reference)
	case matches(msg, k.Preview):
		return m.previewCmd(m.out.sale.Reference, false)
	default:
		return m.staffKey(msg)
	}
	return nil
}

func (approvedScreen) view(m *model) []string {
	s, cur := m.out.sale, m.out.sale.Currency
	out := []string{m.st.Good.Render(m.st.Tick+" APPROVED  "+cur.Format(s.Charged)) + " charged"}
	out = append(out, m.demoMark()...)
	if s.PartlyPaid() {
		out = append(out, m.styled(m.st.Loud, "PARTLY PAID: collect "+cur.Format(s.Outstanding())+" by other means")...)
	}
	out = append(out, m.gap()...)
	out = append(out, m.row("Fee", m.fee(s)+"  VAT "+cur.Format(s.VAT)))
	out = append(out, m.row("Kora ref", s.KoraReference))
	if s.HasBalance {
		out = append(out, m.row("Balance", cur.Format(s.Balance)+" left on voucher"))
	}
	if s.HasChangePIN {
		pin := s.ChangePIN
		if pin == "" {
			pin = "(see receipt reprint)"
		} else {
			pin = pos.GroupPIN(pin)
		}
		out = append(out, m.gap()...)
		out = append(out, m.st.Warn.Render("NEW VOUCHER PIN  "+pin))
		out = append(out, m.row("Serial", s.VoucherSerial))
		if !s.Expiry.IsZero() {
			out = append(out, m.row("Expires", s.Expiry.Format("2006-01-02")))
		}
		out = append(out, m.styled(m.st.Warn, m.say("Give this to the customer — it is their money.",
			"This new PIN is your money: keep your slip."))...)
	}
	if m.print.note != "" {
		out = append(out, m.styled(m.st.Hint, m.print.note)...)
	}
	return out
}

type declinedScreen struct{}

func (declinedScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.FixIt, k.History}, []key.Binding{k.Report}
}

func (declinedScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	if matches(msg, m.keys.FixIt) {
		m.fixDecline()
		return nil
	}
	return m.staffKey(msg)
}

func (declinedScreen) view(m *model) []string {
	d := m.declineShown()
	out := []string{m.st.Bad.Render(m.st.Cross + " " + d.headline)}
	out = append(out, m.demoMark()...)
	out = append(out, m.gap()...)
	out = append(out, wrap(d.sentence, m.width-2)...)
	out = append(out, m.gap()...)
	where := map[state]string{stateAmount: "the amount", stateProvider: "the provider", statePIN: "the PIN",
		stateConfirm: "the sale to send it again"}[d.next]
	return append(out, m.st.Hint.Render("Enter: back to "+where+"."))
}

type checkingScreen struct{}

func (checkingScreen) bindings(m *model) (bar, more []key.Binding) {
	return []key.Binding{m.keys.Park}, nil
}

func (checkingScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	if matches(msg, m.keys.Park) {
		m.newSale()
		return m.countCmd()
	}
	return nil
}

func (checkingScreen) view(m *model) []string {
	s := m.out.sale
	out := []string{
		m.st.Warn.Render(m.spinner() + " Checking payment status"),
		m.st.Bad.Render(m.say("Do not hand over goods.", "Please wait: your payment is being confirmed.")),
	}
	out = append(out, m.gap()...)
	switch {
	case s.KeyRefused:
		out = append(out, m.styled(m.st.Bad, m.say(keyRefusedWords, keyRefusedCustomer))...)
	case s.UnseenStatus():
		out = append(out, m.st.Warn.Render("Kora says: "+cleanMessage(s.KoraStatus)))
		fallthrough
	default:
		out = append(out, wrap(checkingWords, m.width-2)...)
	}
	out = append(out, m.st.Hint.Render(m.elapsed()+", "+pos.Count(s.Checks, "check", "checks")+" so far"))
	if m.out.parkable {
		out = append(out, m.gap()...)
		out = append(out, wrap(parkWords, m.width-2)...)
	}
	return out
}

func (m *model) spinner() string { return m.st.Spinner[m.out.frame%len(m.st.Spinner)] }

func (m *model) elapsed() string {
	return fmt.Sprintf("%.1fs", m.now().Sub(m.out.submittedAt).Seconds())
}

// demoMark: in demo mode, a result on screen (one a photo could show
// as a payment) says it is not one.
func (m *model) demoMark() []string {
	if !m.demo() {
		return nil
	}
	return []string{m.st.Loud.Render(demoNotPayment)}
}

// fee is a sale's fee, or "—" when Kora did not say (not R 0.00).
func (m *model) fee(s pos.Sale) string {
	if s.FeeUnknown {
		return "—"
	}
	return s.Currency.Format(s.Fee)
}
