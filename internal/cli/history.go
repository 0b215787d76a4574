package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"voucherpos/pos"
	"voucherpos/pos/journal"
)

// saleJSON is a sale in `history --json`. Amounts are decimal strings in
// major units, exact.
type saleJSON struct {
	Reference      string `json:"reference"`
	KoraReference  string `json:"kora_reference"`
	CreatedAt      string `json:"created_at"`
	TerminalID     string `json:"terminal_id"`
	Status         string `json:"status"`
	DeclineKind    string `json:"decline_kind,omitempty"`
	DeclineMessage string `json:"decline_message,omitempty"`
	Currency       string `json:"currency"`
	Requested      string `json:"amount_requested"`
	Charged        string `json:"amount_charged"`
	Fee            string `json:"fee"`
	VAT            string `json:"vat"`
	PartlyPaid     bool   `json:"partly_paid"`
	Outstanding    string `json:"outstanding,omitempty"`
	ProviderCode   string `json:"provider_code"`
	ProviderName   string `json:"provider_name"`
	PINLast4       string `json:"pin_last4"`
	Phone          string `json:"phone"`
	VoucherSerial  string `json:"voucher_serial,omitempty"`
	VoucherBalance string `json:"voucher_balance,omitempty"`
	VoucherExpiry  string `json:"voucher_expiry,omitempty"`
	ChangeVoucher  bool   `json:"change_voucher"`
	Checks         int    `json:"checks"`
}

func toJSON(s pos.Sale) saleJSON {
	c := s.Currency
	j := saleJSON{
		Reference: s.Reference, KoraReference: s.KoraReference, CreatedAt: s.CreatedAt.Format(time.RFC3339),
		TerminalID: s.TerminalID, Status: string(s.Status), DeclineKind: string(s.DeclineKind),
		DeclineMessage: s.DeclineMessage, Currency: c.Code, Requested: c.Plain(s.Requested),
		Charged: c.Plain(s.Charged), Fee: c.Plain(s.Fee), VAT: c.Plain(s.VAT), PartlyPaid: s.PartlyPaid(),
		ProviderCode: s.ProviderCode, ProviderName: s.ProviderName, PINLast4: s.PINLast4, Phone: journal.MaskPhone(s.Phone),
		VoucherSerial: s.VoucherSerial, ChangeVoucher: s.HasChangePIN, Checks: s.Checks,
	}
	if s.PartlyPaid() {
		j.Outstanding = c.Plain(s.Outstanding())
	}
	if s.HasBalance {
		j.VoucherBalance = c.Plain(s.Balance)
	}
	if !s.Expiry.IsZero() {
		j.VoucherExpiry = s.Expiry.Format("2006-01-02")
	}
	return j
}

// Sales hands each of a day's sales in turn to yield, stopping at the first
// error yield returns; pos.Service.EachOfDay partly applied is one, and
// Slice makes one of sales in memory. The Stream writers hold one sale (or
// one block of a table) at a time, so a day of 100 000 sales costs what a
// day of ten does.
type Sales func(yield func(pos.Sale) error) error

// Slice hands out sales in memory, in order.
func Slice(sales []pos.Sale) Sales {
	return func(yield func(pos.Sale) error) error {
		for _, s := range sales {
			if err := yield(s); err != nil {
				return err
			}
		}
		return nil
	}
}

// WriteHistoryJSON writes sales as a JSON array.
func WriteHistoryJSON(w io.Writer, sales []pos.Sale) error {
	return StreamHistoryJSON(w, Slice(sales))
}

// StreamHistoryJSON writes the sales as one indented JSON array, a sale at
// a time, byte for byte what encoding/json's indented Encoder makes of the
// whole slice.
func StreamHistoryJSON(w io.Writer, sales Sales) error {
	bw := bufio.NewWriter(w)
	var buf bytes.Buffer // one sale's JSON, reused
	enc := json.NewEncoder(&buf)
	enc.SetIndent("  ", "  ")
	n := 0
	err := sales(func(s pos.Sale) error {
		buf.Reset()
		if err := enc.Encode(toJSON(s)); err != nil {
			return err
		}
		b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if n == 0 {
			bw.WriteString("[\n  ")
		} else {
			bw.WriteString(",\n  ")
		}
		n++
		_, err := bw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	return bw.Flush()
}

// WriteHistory writes sales as a table for a terminal.
func WriteHistory(w io.Writer, sales []pos.Sale) error {
	return StreamHistory(w, Slice(sales))
}

// tableBlock is how many rows of a table are aligned together: a day of
// fewer is one block, aligned as a whole; a busier day is written a block
// at a time, so that the table never holds the day.
const tableBlock = 1000

// StreamHistory writes the sales as a table for a terminal.
func StreamHistory(w io.Writer, sales Sales) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	n := 0
	err := sales(func(s pos.Sale) error {
		if n == 0 {
			fmt.Fprintln(tw, "TIME\tSTATUS\tAMOUNT\tCHARGED\tPROVIDER\tPIN\tREFERENCE\tKORA REFERENCE\tNOTE")
		}
		n++
		note := ""
		switch {
		case s.PartlyPaid():
			note = "partly paid: collect " + s.Currency.Format(s.Outstanding())
		case s.HasChangePIN:
			note = "change voucher, balance " + s.Currency.Format(s.Balance)
		case s.Status == pos.Declined:
			note = s.DeclineMessage
		case s.Status.Unresolved():
			note = "being checked with Kora"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t****%s\t%s\t%s\t%s\n",
			s.CreatedAt.Format("15:04:05"), strings.ToUpper(string(s.Status)),
			s.Currency.Format(s.Requested), s.Currency.Format(s.Charged), s.ProviderName, s.PINLast4,
			s.Reference, OrDash(s.KoraReference), note)
		if n%tableBlock == 0 {
			return tw.Flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		_, err := fmt.Fprintln(w, "No sales on this day.")
		return err
	}
	return tw.Flush()
}

// OrDash shows an empty value in a table as "-".
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
