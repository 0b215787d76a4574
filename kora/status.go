package kora

import "strings"

// Verdict is what a charge status means for the sale.
type Verdict int

// Verdicts.
const (
	// VerdictUnknown: the charge is not final, or its status is one this
	// client has never seen; query again, never charge again.
	VerdictUnknown Verdict = iota
	// VerdictApproved: the voucher was charged.
	VerdictApproved
	// VerdictDeclined: Kora calls the charge final and nothing was charged.
	VerdictDeclined
)

func (v Verdict) String() string {
	switch v {
	case VerdictApproved:
		return "approved"
	case VerdictDeclined:
		return "declined"
	}
	return "unknown"
}

// Statuses Kora reports for a charge (seen across its pay-ins).
const (
	StatusSuccess    ChargeStatus = "success"
	StatusFailed     ChargeStatus = "failed"
	StatusProcessing ChargeStatus = "processing"
	StatusPending    ChargeStatus = "pending"
	StatusExpired    ChargeStatus = "expired"
	StatusCancelled  ChargeStatus = "cancelled"
	StatusAbandoned  ChargeStatus = "abandoned"
)

// statusVerdicts is the one table that decides what a status means. A
// status missing from it is unknown: the cautious choice, since Kora may
// add statuses and only "success" proves money moved and only its final
// failure statuses prove it did not.
var statusVerdicts = map[ChargeStatus]Verdict{
	StatusSuccess:    VerdictApproved,
	StatusFailed:     VerdictDeclined,
	StatusExpired:    VerdictDeclined,
	StatusCancelled:  VerdictDeclined,
	StatusAbandoned:  VerdictDeclined,
	StatusProcessing: VerdictUnknown,
	StatusPending:    VerdictUnknown,
}

// normalStatus is a status as the table keys it: trimmed, lower case.
func normalStatus(s string) ChargeStatus {
	return ChargeStatus(strings.ToLower(strings.TrimSpace(s)))
}

// Verdict is what the status means for the sale.
func (s ChargeStatus) Verdict() Verdict { return statusVerdicts[normalStatus(string(s))] }

// Known reports whether the status is in the table.
func (s ChargeStatus) Known() bool {
	_, ok := statusVerdicts[normalStatus(string(s))]
	return ok
}

// Final reports whether the status can no longer change.
func (s ChargeStatus) Final() bool { return s.Verdict() != VerdictUnknown }
