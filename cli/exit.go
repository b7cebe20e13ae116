package cli

import (
	"errors"
	"fmt"
)

// kind is what became of a command, independent of which command it was;
// the command's class turns it into the exit code (exitCode), so the table
// below is the only place exit numbers are decided.
type kind int

const (
	kindFailed     kind = iota + 1 // the action or its verification failed; a check could not read
	kindUsage                      // bad flags or arguments, a config that does not load
	kindRefused                    // the safety policy refused a write
	kindWarning                    // check-style: e.g. insufficient data
	kindCritical                   // check-style: something in ALARM, preflight FAIL
	kindUnknown                    // check-style: nothing matched, unreadable
	kindInProgress                 // a write was made; its rollout goes on unfollowed (Ctrl-C)
)

// class is a command's exit-code convention.
type class int

const (
	// classAction: 0 ok, 1 failed, 2 usage error, 3 refused by safety,
	// 4 in progress (a detached rollout).
	classAction class = iota
	// classCheck follows the monitoring-plugin convention (Nagios, Icinga,
	// Sensu): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage errors included).
	classCheck
)

// Exit codes of the action commands (everything but alarms and preflight).
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitRefused = 3
	// exitInProgress: the write was made and ECS goes on rolling it out, but
	// `run` stopped following (Ctrl-C), so neither ok nor failed is true yet.
	exitInProgress = 4
)

// Exit codes of the check-style commands (alarms, preflight).
const (
	checkOK       = 0
	checkWarning  = 1
	checkCritical = 2
	checkUnknown  = 3
)

// exitError is an error that knows how the command ended. err == nil means
// the command already said everything (a check's report) and only the code
// remains.
type exitError struct {
	kind kind
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit kind %d", e.kind)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withKind marks err with k; a nil err stays nil (the command succeeded).
func withKind(k kind, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{kind: k, err: err}
}

func usageErr(err error) error { return withKind(kindUsage, err) }

func usagef(format string, args ...any) error { return usageErr(fmt.Errorf(format, args...)) }

func failedErr(err error) error { return withKind(kindFailed, err) }

func refusedErr(err error) error { return withKind(kindRefused, err) }

func unknownErr(err error) error { return withKind(kindUnknown, err) }

// silent ends the command with a kind and nothing more to print.
func silent(k kind) error { return &exitError{kind: k} }

// kindOf reads the kind of an error; a plain error is a failure.
func kindOf(err error) kind {
	var e *exitError
	if errors.As(err, &e) {
		return e.kind
	}
	return kindFailed
}

// message is what Main prints for err: "" when the command said it all.
func message(err error) string {
	if err == nil {
		return ""
	}
	var e *exitError
	if errors.As(err, &e) && e.err == nil {
		return ""
	}
	return err.Error()
}

// exitCode is the exit table, written once.
func exitCode(c class, err error) int {
	if err == nil {
		return exitOK
	}
	k := kindOf(err)
	if c == classCheck {
		switch k {
		case kindWarning:
			return checkWarning
		case kindCritical:
			return checkCritical
		default: // unreadable, nothing matched, usage, refused: the check says nothing
			return checkUnknown
		}
	}
	switch k {
	case kindUsage:
		return exitUsage
	case kindRefused:
		return exitRefused
	case kindInProgress:
		return exitInProgress
	default:
		return exitFailed
	}
}

// exitTable is the table as `gatewayops help` and the README print it.
const exitTable = `exit codes:
  alarms, preflight (monitoring-plugin convention, for Nagios/Icinga/Sensu checks):
    0 OK        nothing in ALARM / preflight PASS
    1 WARNING   e.g. alarms with insufficient data
    2 CRITICAL  something in ALARM / preflight FAIL
    3 UNKNOWN   CloudWatch unreadable, nothing matched, or a usage error
  every other command:
    0 ok
    1 failed (the action, its verification, or a backend)
    2 usage error (flags, arguments, config)
    3 refused by the safety policy
    4 in progress: the write was made, its rollout goes on unfollowed (Ctrl-C in run); see service.status
  -h and --help exit 0 everywhere.`
