package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errHelp is returned by parseFlags when -h was asked for and the help is
// printed: the command ends with exit 0 and nothing more.
var errHelp = flag.ErrHelp

// newFlagSet is a flag set whose errors are not printed by the flag package
// (run prints them once) and whose -h / --help prints synopsis, notes and
// flags to stdout.
func newFlagSet(name, synopsis string, stdout io.Writer, notes ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // the flag package calls it on every error; help is ours
	h := &helpFlag{print: func() {
		fmt.Fprintln(stdout, "usage: "+synopsis)
		for _, n := range notes {
			fmt.Fprintln(stdout, n)
		}
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}}
	fs.Var(h, "h", "print this help")
	fs.Var(h, "help", "print this help")
	return fs
}

// helpFlag is -h and --help: it prints the help once when given.
type helpFlag struct {
	asked bool
	print func()
}

func (h *helpFlag) String() string   { return "false" }
func (h *helpFlag) IsBoolFlag() bool { return true }
func (h *helpFlag) Set(string) error {
	if !h.asked {
		h.asked = true
		h.print()
	}
	return nil
}

// parseFlags parses args; -h prints the help and returns errHelp, any other
// problem is a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	return flagErr(fs, fs.Parse(args))
}

func flagErr(fs *flag.FlagSet, err error) error {
	if f := fs.Lookup("h"); f != nil {
		if h, ok := f.Value.(*helpFlag); ok && h.asked {
			return errHelp
		}
	}
	if err == nil {
		return nil
	}
	return usagef("%v (see gatewayops %s -h)", err, fs.Name())
}

// helpOrErr turns errHelp into a clean exit.
func helpOrErr(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// isHelpArg says whether a positional argument asks for help.
func isHelpArg(a string) bool { return a == "-h" || a == "--help" || a == "-help" || a == "help" }

// noArgs refuses positional arguments left after the flags.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: %s takes flags only", strings.Join(fs.Args(), " "), fs.Name())
	}
	return nil
}
