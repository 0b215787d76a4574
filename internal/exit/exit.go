// Package exit gives voucherpos's commands their exit statuses as errors:
// a command returns what went wrong and how it ends, and main says it in
// one place (the pattern of gum's internal/exit).
package exit

import "errors"

// Exit statuses.
const (
	OK     = 0
	Failed = 1 // the work could not be done
	Usage  = 2 // wrong flags or arguments, or a config that does not load
)

// Error is a command's failure and the status it ends with. An Error with
// no Err has said all it had to already and only sets the status.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// UsageError ends with status 2: the command line or the config is wrong.
func UsageError(err error) error { return &Error{Code: Usage, Err: err} }

// Fail ends with status 1: the command could not do its work.
func Fail(err error) error { return &Error{Code: Failed, Err: err} }

// Quiet ends with code, the command having said what it had to.
func Quiet(code int) error {
	if code == OK {
		return nil
	}
	return &Error{Code: code}
}

// Code is the status err ends with: 0 for nil, the Error's own code, and 1
// for any other error.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Failed
}

// Message is what is to be said of err ("" when nothing is).
func Message(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
