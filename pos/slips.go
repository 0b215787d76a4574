package pos

import (
	"context"
	"fmt"
)

// Slip builds the receipt of a sale, with its change-voucher PIN decrypted
// from the journal when one was issued.
func (s *Service) Slip(ctx context.Context, ref string, reprint bool) (Slip, error) {
	sale, err := s.Get(ctx, ref)
	if err != nil {
		return Slip{}, err
	}
	pin := ""
	if sale.HasChangePIN {
		if pin, err = s.journal.ChangePIN(ctx, ref); err != nil {
			s.log.Warn("change PIN unreadable for slip", "reference", ref, "err", err)
			pin = ""
		}
	}
	return BuildSlip(sale, ReceiptInfo{
		StoreName: s.cfg.Store.Name, TerminalID: s.cfg.Store.TerminalID, Width: s.cfg.Receipt.Width,
		ChangePIN: pin, Reprint: reprint, Demo: s.cfg.Demo,
	}), nil
}

// HasPrinter reports whether receipt.printer names one.
func (s *Service) HasPrinter() bool { return s.printer != nil }

// PrinterName says where slips go ("" when there is no printer).
func (s *Service) PrinterName() string {
	if s.printer == nil {
		return ""
	}
	return s.printer.Name()
}

// Print prints a sale's slip on the configured printer, within
// PrintTimeout. The outcome is noted in the sale's event log; the sale's
// record itself never changes.
func (s *Service) Print(ctx context.Context, ref string, reprint bool) error {
	if s.printer == nil {
		return fmt.Errorf("no receipt printer is configured (receipt.printer)")
	}
	slip, err := s.Slip(ctx, ref, reprint)
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, PrintTimeout)
	defer cancel()
	kind := "printed"
	if reprint {
		kind = "reprinted"
	}
	if err := s.printer.Print(pctx, slip); err != nil {
		s.log.Warn("print failed", "reference", ref, "err", err)
		_ = s.AddEvent(ctx, ref, "print_failed", err.Error())
		return err
	}
	_ = s.AddEvent(ctx, ref, kind, s.printer.Name())
	return nil
}
