package ui

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"voucherpos/pos"
)

// The cashier's and the customer's sentences, in one place: pos gives
// reasons, the screens say them.

const (
	// demoNotPayment marks every demo result (and, in pos, every demo slip).
	demoNotPayment = "DEMO — NOT A PAYMENT"
	// keyRefusedWords: Kora answered 401 to the charge and to the query
	// after it; the sale is held, never declined by guess.
	keyRefusedWords    = "Kora refused this till's key — the sale is held until it can be checked. Ask a supervisor."
	keyRefusedCustomer = "This machine can't confirm payments right now. Please ask for help at the counter — don't pay again."
	checkingWords      = "The outcome isn't known yet. The till is asking Kora about this sale by its reference — it never charges twice."
	parkWords          = "Still unconfirmed — it will keep checking; see History. Enter parks it and starts a new sale."
)

// failureFor is the till's own failure to send a sale: its journal, or a
// retry whose first question got no clear answer.
func failureFor(err error) *decline {
	if errors.Is(err, pos.ErrNoAnswer) {
		return &decline{"Kora didn't answer", "Kora couldn't say yet whether it has this sale — " +
			"nothing new was charged. Try again in a moment.", stateConfirm, false}
	}
	return &decline{"Sale not sent", "The sale could not be saved, so nothing was charged. " +
		"Try again; if it keeps happening, call a supervisor.", stateConfirm, false}
}

// fieldWords is what a field's error says on screen, from pos's reason
// (and, for a length or a limit, what would do): at a kiosk, to the
// customer.
func (m *model) fieldWords(err error) string {
	var ie *pos.InputError
	if !errors.As(err, &ie) {
		return err.Error()
	}
	switch ie.Reason {
	case pos.ErrAmountEmpty:
		return "Type an amount."
	case pos.ErrAmountZero:
		return "The amount must be more than zero."
	case pos.ErrAmountNegative:
		return "The amount can't be negative."
	case pos.ErrAmountDecimals:
		switch ie.Want {
		case "0":
			return "Type a whole amount, with no digits after the point."
		case "1":
			return "At most 1 digit after the point."
		}
		return "At most " + ie.Want + " digits after the point."
	case pos.ErrAmountTooLarge:
		if ie.Want != "" {
			return "The most this till takes is " + ie.Want + "."
		}
		return "That amount is too large."
	case pos.ErrAmountSyntax:
		return "Use digits and one decimal point."
	case pos.ErrPINEmpty:
		return m.say("Type the voucher PIN.", "Type your voucher PIN, then Enter.")
	case pos.ErrPINDigits:
		return "A voucher PIN has digits only."
	case pos.ErrPINLength:
		if ie.Want != "" {
			return "This voucher PIN has " + ie.Want + " digits; " + m.say("you typed ", "that was ") + ie.Got + "."
		}
		return "That voucher PIN has the wrong number of digits."
	case pos.ErrPhoneEmpty:
		return m.say("Type the customer's phone number.", "Type your phone number, then Enter.")
	case pos.ErrPhoneSyntax:
		return "A phone number has digits, spaces and an optional +."
	case pos.ErrPhoneTooShort:
		return "That number is too short."
	case pos.ErrPhoneTooLong:
		return "That number is too long."
	case pos.ErrPhoneCountryCode:
		return "That country code isn't recognised."
	case pos.ErrPhoneInvalid:
		if name, ok := regionAdjectives[ie.Want]; ok {
			return "That isn't a valid " + name + " number."
		}
		if len(ie.Want) == 2 && ie.Want != "ZZ" {
			return "That isn't a valid " + ie.Want + " number."
		}
		return "That isn't a valid phone number."
	case pos.ErrEmailInvalid:
		return "That email address doesn't look right."
	case pos.ErrProviderUnknown:
		return "That provider isn't set up on this till."
	}
	return err.Error()
}

// regionAdjectives name the regions a till is likely to see in a sentence:
// "That isn't a valid South African number." Others show their code.
var regionAdjectives = map[string]string{
	"ZA": "South African",
	"NG": "Nigerian",
	"KE": "Kenyan",
	"GH": "Ghanaian",
	"UG": "Ugandan",
	"TZ": "Tanzanian",
	"RW": "Rwandan",
	"ZW": "Zimbabwean",
	"NA": "Namibian",
	"BW": "Botswana",
	"LS": "Lesotho",
	"SZ": "Eswatini",
	"MZ": "Mozambican",
	"CI": "Ivorian",
	"SN": "Senegalese",
	"GB": "UK",
	"US": "US",
}

// pasteRefused says why a paste was not taken, quoting it safely.
func pasteRefused(st state, text string) string {
	shown := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, text)
	if r := []rune(shown); len(r) > 20 {
		shown = string(r[:19]) + "…"
	}
	what := map[state]string{stateAmount: "an amount", statePIN: "a voucher PIN that fits", statePhone: "a phone number"}[st]
	return fmt.Sprintf("Pasted %q is not %s: nothing was taken.", shown, what)
}

// decline is what the cashier sees for a declined sale and where Enter
// takes them to fix it.
type decline struct {
	headline string
	sentence string
	next     state
	clearPIN bool
}

// kioskWords are the customer's words where the cashier's would not do.
var kioskWords = map[pos.DeclineKind]string{
	pos.DeclineUnauthorized: "This machine can't take vouchers right now. Nothing was charged. Please ask for help.",
	pos.DeclineNotSent:      "The payment service can't be reached right now — nothing was charged. Please try again.",
}

// declineFor maps a declined sale to its words (PRODUCT.md "Declines").
func declineFor(s pos.Sale, provider string) decline {
	switch s.DeclineKind {
	case pos.DeclineInvalidPIN:
		return decline{"Voucher PIN not accepted", "That voucher PIN wasn't accepted. Check the digits and try again.", statePIN, true}
	case pos.DeclineVoucherUsed:
		return decline{"Voucher already used", "This voucher has already been redeemed.", statePIN, true}
	case pos.DeclineInsufficientFunds:
		return decline{"Not enough on the voucher", "The voucher balance is lower than " + s.Currency.Format(s.Requested) +
			". Try a smaller amount or another voucher.", stateAmount, false}
	case pos.DeclineAmountExceeds:
		return decline{"Amount too high for this voucher", "That amount is more than this voucher allows.", stateAmount, false}
	case pos.DeclineProviderNotActive:
		return decline{"Provider not enabled", provider + " vouchers aren't enabled for this store.", stateProvider, false}
	case pos.DeclineProviderNotSupported:
		return decline{"Provider not supported", provider + " isn't supported. Choose another provider.", stateProvider, false}
	case pos.DeclineUnauthorized:
		return decline{"Till not authorised", "This till isn't authorised with Kora. Ask a supervisor to check the API key.", stateAmount, false}
	case pos.DeclineNotSent:
		return decline{"Can't reach Kora", "Can't reach Kora — nothing was charged. Check the network and try again.", stateConfirm, false}
	case pos.DeclineNotFound:
		return decline{"Payment not found", "Kora has no record of this payment — nothing was charged. Try again.", stateConfirm, false}
	}
	msg := cleanMessage(s.DeclineMessage)
	if msg == "" {
		msg = "Kora declined the payment."
	}
	return decline{"Declined", msg, stateConfirm, false}
}

// cleanMessage keeps Kora's own words readable: never markup, JSON or a
// wall of text on a cashier's screen.
func cleanMessage(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "<>{}[]") || strings.Contains(s, "kora:") {
		return ""
	}
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 160 {
		s = string(r[:157]) + "..."
	}
	return s
}
