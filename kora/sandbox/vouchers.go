package sandbox

import "voucherpos/kora"

// Provider is a voucher provider as the sandbox's merchant account sees it.
type Provider struct {
	Code      string
	Name      string
	PINLength int
	// Active is false for a provider Kora knows but has not enabled for this
	// merchant: every charge is refused with 403.
	Active bool
	// ChangeVouchers: a redemption below the balance retires the PIN and
	// issues a new voucher (new PIN) for the rest, as 1Voucher does. Without
	// it the balance stays on the same PIN, and a charge above the balance
	// takes what is there (a partly paid charge).
	ChangeVouchers bool
}

// Providers the sandbox knows. Any other code is "not supported".
var defaultProviders = []Provider{
	{Code: "0001", Name: "1Voucher", PINLength: 16, Active: true, ChangeVouchers: true},
	{Code: "0002", Name: "OTT", PINLength: 12, Active: true},
	{Code: "0003", Name: "blu", PINLength: 16, Active: false, ChangeVouchers: true},
}

// Fault is how the sandbox misbehaves for one voucher, to reproduce the
// unknown-outcome paths a till must survive.
type Fault int

// Faults. Those named …AfterApply charge the voucher first, so a later
// query finds the charge successful.
const (
	FaultNone                Fault = iota
	FaultSystemError               // 500 "An unexpected system error occurred.", nothing charged
	FaultSlowAfterApply            // the answer comes after the slow delay (longer than a client's timeout)
	Fault500AfterApply             // charged, then a 500
	FaultDropAfterApply            // charged, then the connection is closed with no answer
	FaultHTML502AfterApply         // charged, then an HTML 502 as from a proxy
	FaultTruncatedAfterApply       // charged, then half a JSON body and a closed connection
	FaultDripAfterApply            // charged, then the body one byte at a time, slowly
	FaultProcessing                // answered "processing"; the charge turns successful after the settle delay
	Fault401AfterApply             // charged, then 401 "Invalid authorization key" (Kora: requery)
	Fault401BeforeApply            // 401 "Invalid authorization key", nothing charged or recorded

	lastFault = Fault401BeforeApply
)

// LastFault is the highest Fault, for tests that walk them all.
const LastFault = lastFault

// Voucher is a seeded voucher. Values are in cents (ZAR minor units).
type Voucher struct {
	PIN      string
	Provider string // provider code
	Balance  int64  // cents
	// Limit caps one charge (cents; 0 = none): more is refused with
	// "The amount provided exceeds the required amount."
	Limit int64
	Used  bool
	Fault Fault
	// Status, when set and not success, is the charge status Kora answers
	// for this voucher, in the charge answer and every query; nothing is
	// charged. A declined status (failed, expired …) sends charge.failed.
	Status kora.ChargeStatus
	// Webhook misdelivers this voucher's charge webhooks (twice, late,
	// reordered, with a bad signature, pretty-printed, or not at all).
	Webhook WebhookCue
	// Does says in a few words what the voucher demonstrates.
	Does string
}

// The demo vouchers' PINs, by what they show: tests and demos name them
// rather than repeat the digits.
const (
	PINChange       = "1168648096792943" // 1Voucher R500: a change voucher for the rest
	PINFull         = "1000000000000100" // 1Voucher R100: redeemed in full
	PINLow          = "1000000000000010" // 1Voucher R10: insufficient funds above it
	PINUsed         = "1000000000000999" // already used
	PINCapped       = "1000000000002000" // at most R200 a charge
	PINSystemError  = "1000000000000500" // 500, nothing charged
	PINOTTPartly    = "200000000050"     // OTT R50: partly paid above it
	PINOTT          = "200000000300"     // OTT R300
	PINInactive     = "3000000000000100" // blu: provider not active
	PINSlow         = "9000000000000001" // charged, answer after the timeout
	PIN500          = "9000000000000002" // charged, then a 500
	PINDropped      = "9000000000000003" // charged, then the connection drops
	PINHTML502      = "9000000000000004" // charged, then an HTML 502
	PINTruncated    = "9000000000000005" // charged, then truncated JSON
	PINDrip         = "9000000000000006" // charged, the body drips
	PINProcessing   = "9000000000000007" // "processing", success later
	PIN401After     = "9000000000000008" // charged, then 401
	PIN401Before    = "9000000000000009" // 401, nothing charged
	PINFailed       = "8000000000000001" // Kora says failed
	PINExpired      = "8000000000000002" // Kora says expired
	PINCancelled    = "8000000000000003" // Kora says cancelled
	PINAbandoned    = "8000000000000004" // Kora says abandoned
	PINPending      = "8000000000000005" // Kora says pending, and stays so
	PINUnseenStatus = "8000000000000006" // Kora says a status never seen
)

// DemoVouchers are seeded in every new sandbox. Together they reach every
// outcome of Kora's voucher API; any PIN not listed is an invalid PIN, and
// any provider code but 0001–0003 is not supported.
func DemoVouchers() []Voucher {
	return []Voucher{
		{PIN: PINChange, Provider: "0001", Balance: 50000,
			Does: "R500: charge less for a change voucher (new PIN), R500 redeems it fully"},
		{PIN: PINFull, Provider: "0001", Balance: 10000,
			Does: "R100: charge R100 for a full redemption"},
		{PIN: PINLow, Provider: "0001", Balance: 1000,
			Does: "R10: charge more than R10 → insufficient funds (402)"},
		{PIN: PINUsed, Provider: "0001", Used: true,
			Does: "already used (400)"},
		{PIN: PINCapped, Provider: "0001", Balance: 200000, Limit: 20000,
			Does: "R2 000, at most R200 a charge: more → amount exceeds (400)"},
		{PIN: PINSystemError, Provider: "0001", Balance: 10000, Fault: FaultSystemError,
			Does: "system error (500), nothing charged"},
		{PIN: PINOTTPartly, Provider: "0002", Balance: 5000,
			Does: "OTT R50: charge more and only R50 is taken (partly paid)"},
		{PIN: PINOTT, Provider: "0002", Balance: 30000,
			Does: "OTT R300: balance stays on the same PIN"},
		{PIN: PINInactive, Provider: "0003", Balance: 10000,
			Does: "blu: provider not active for this merchant (403)"},
		{PIN: PINSlow, Provider: "0001", Balance: 5000000, Fault: FaultSlowAfterApply,
			Does: "charged, answer slower than the timeout (outcome unknown)"},
		{PIN: PIN500, Provider: "0001", Balance: 5000000, Fault: Fault500AfterApply,
			Does: "charged, then a 500 (outcome unknown)"},
		{PIN: PINDropped, Provider: "0001", Balance: 5000000, Fault: FaultDropAfterApply,
			Does: "charged, then the connection drops (outcome unknown)"},
		{PIN: PINHTML502, Provider: "0001", Balance: 5000000, Fault: FaultHTML502AfterApply,
			Does: "charged, then an HTML 502 from a proxy (outcome unknown)"},
		{PIN: PINTruncated, Provider: "0001", Balance: 5000000, Fault: FaultTruncatedAfterApply,
			Does: "charged, then truncated JSON (outcome unknown)"},
		{PIN: PINDrip, Provider: "0001", Balance: 5000000, Fault: FaultDripAfterApply,
			Does: "charged, then a body that drips slowly (outcome unknown)"},
		{PIN: PINProcessing, Provider: "0001", Balance: 5000000, Fault: FaultProcessing,
			Does: "Kora says \"processing\"; success about 20 s later"},
		{PIN: PIN401After, Provider: "0001", Balance: 5000000, Fault: Fault401AfterApply,
			Does: "charged, then 401 invalid authorization key (requery)"},
		{PIN: PIN401Before, Provider: "0001", Balance: 5000000, Fault: Fault401BeforeApply,
			Does: "401 invalid authorization key, nothing charged"},
		{PIN: PINFailed, Provider: "0001", Balance: 5000000, Status: kora.StatusFailed,
			Does: "Kora says \"failed\": Transaction failed. Please try again."},
		{PIN: PINExpired, Provider: "0001", Balance: 5000000, Status: kora.StatusExpired,
			Does: "Kora says \"expired\" (declined)"},
		{PIN: PINCancelled, Provider: "0001", Balance: 5000000, Status: kora.StatusCancelled,
			Does: "Kora says \"cancelled\" (declined)"},
		{PIN: PINAbandoned, Provider: "0001", Balance: 5000000, Status: kora.StatusAbandoned,
			Does: "Kora says \"abandoned\" (declined)"},
		{PIN: PINPending, Provider: "0001", Balance: 5000000, Status: kora.StatusPending,
			Does: "Kora says \"pending\" and stays so (unknown)"},
		{PIN: PINUnseenStatus, Provider: "0001", Balance: 5000000, Status: UnseenStatus,
			Does: "Kora says \"" + string(UnseenStatus) + "\", a status never seen (unknown)"},
	}
}

// UnseenStatus is a status no table knows, for the "never seen" path.
const UnseenStatus kora.ChargeStatus = "on-hold"

// InvalidPIN is a 1Voucher-shaped PIN the sandbox never knows.
const InvalidPIN = "1234123412341234"

// UnsupportedProvider is a provider code the sandbox does not support.
const UnsupportedProvider = "0004"
