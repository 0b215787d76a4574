package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// storeScreen looks a sale up across the store, on the store server: by
// its reference, or by the voucher PIN's last 4 digits and the amount.
// Read-only: a sale of another till is that till's to print or check.
type storeScreen struct{}

// store is the lookup being typed and what the server answered.
type store struct {
	query   string
	err     string
	asked   bool
	loading bool
	found   []pos.Sale
	sel     int
	open    *pos.Sale // the sale opened from the results
	events  []pos.StoreEvent
}

type storeMsg struct {
	query  string
	found  []pos.Sale
	events []pos.StoreEvent
	err    error
}

// maxStoreQuery is the longest lookup typed: a reference fits.
const maxStoreQuery = 64

// storeWait is as long as a lookup waits for the store server.
const storeWait = 10 * time.Second

func (storeScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	if m.store.open != nil {
		return []key.Binding{k.Back}, nil
	}
	return []key.Binding{k.Next, k.Back, k.Open, k.Up, k.Down}, []key.Binding{k.Text, k.Delete}
}

func (storeScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	st, k := &m.store, m.keys
	if st.open != nil {
		if matches(msg, k.Back) {
			st.open, st.events = nil, nil
		}
		return nil
	}
	switch {
	case matches(msg, k.Text): // before ↑↓: j and k are letters here
		if len(st.query) < maxStoreQuery {
			st.query += msg.Text
			st.err, st.found, st.asked = "", nil, false
		}
	case matches(msg, k.Delete):
		st.query, st.err, st.found, st.asked = trimLast(st.query), "", nil, false
	case matches(msg, k.Up, k.Down):
		st.sel = m.moveSel(msg, st.sel, len(st.found))
	case matches(msg, k.Open):
		s := st.found[st.sel]
		st.open = &s
	case matches(msg, k.Next):
		return m.storeCmd()
	case matches(msg, k.Back):
		m.state, m.store = stateHistory, store{}
	}
	return nil
}

// storeCmd asks the store server about what was typed: "2943 120.50" is a
// PIN's last 4 digits and an amount; anything else a reference.
func (m *model) storeCmd() tea.Cmd {
	st, till := &m.store, m.till
	q := strings.TrimSpace(st.query)
	last4, amountText, pair := strings.Cut(q, " ")
	amountText = strings.TrimSpace(amountText)
	switch {
	case q == "":
		st.err = "Type a reference, or the PIN's last 4 digits and the amount."
		return nil
	case pair && (len(last4) != 4 || !allDigits(last4)):
		st.err = "The PIN's last 4 digits, a space, then the amount: 2943 120.50"
		return nil
	case !pair && !pos.ValidReference(q):
		st.err = "That isn't a reference: letters, digits, - and _ only."
		return nil
	}
	var amount pos.Money
	if pair {
		a, err := till.ParseAmount(amountText)
		if err != nil {
			st.err = m.fieldWords(err)
			return nil
		}
		amount = a
	}
	st.err, st.loading = "", true
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), storeWait)
		defer cancel()
		if pair {
			found, err := till.StoreFind(ctx, last4, amount)
			return storeMsg{query: q, found: found, err: err}
		}
		s, events, err := till.StoreSale(ctx, q)
		if err != nil {
			return storeMsg{query: q, err: err}
		}
		return storeMsg{query: q, found: []pos.Sale{s}, events: events}
	}
}

func (m *model) onStore(msg storeMsg) {
	st := &m.store
	if m.state != stateStore || strings.TrimSpace(st.query) != msg.query {
		return // typed on since: this answer is for another question
	}
	st.loading, st.asked, st.sel, st.open = false, true, 0, nil
	st.found, st.events, st.err = msg.found, msg.events, ""
	if msg.err != nil {
		st.found = nil
		st.err = "The store server could not be asked: " + msg.err.Error()
	}
	if len(st.found) == 1 && msg.events != nil {
		st.open = &st.found[0]
	}
}

func (m *model) openStore() tea.Cmd {
	m.state, m.store = stateStore, store{}
	return nil
}

func (storeScreen) view(m *model) []string {
	st := &m.store
	if s := st.open; s != nil {
		out := m.detailOf(s)
		out = append(out, m.row("Till", s.TerminalID))
		for _, e := range st.events {
			out = append(out, m.st.Hint.Render(e.At.Format("15:04:05")+" "+e.Kind+" "+cleanMessage(e.Detail)))
		}
		return out
	}
	out := []string{m.st.Title.Render("Store lookup (read-only)")}
	out = append(out, m.input(st.query))
	out = append(out, "  "+m.st.Hint.Render("A reference, or the PIN's last 4 and the amount: 2943 120.50"))
	switch {
	case st.err != "":
		return append(out, m.st.Error.Render(st.err))
	case st.loading:
		return append(out, m.st.Hint.Render("Asking the store server…"))
	case st.asked && len(st.found) == 0:
		return append(out, m.st.Hint.Render("No such sale at this store."))
	}
	for i, s := range st.found {
		line := fmt.Sprintf("%s %s %10s *%s %s %s", s.CreatedAt.Format("01-02 15:04"), m.badge(s),
			s.Currency.Format(s.Requested), s.PINLast4, s.ProviderName, s.TerminalID)
		if i == st.sel {
			out = append(out, m.st.Arrow+m.st.Selected.Render(line))
		} else {
			out = append(out, " "+line)
		}
	}
	return out
}
