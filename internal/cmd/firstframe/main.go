// Command firstframe measures how long a terminal program takes to draw a
// screen, without a terminal multiplexer in the way: it starts the command
// on a pseudo-terminal of a given size, feeds every byte the command writes
// into a terminal emulator (github.com/charmbracelet/x/vt), answers the
// queries a real terminal answers (the emulator's replies go back into the
// pty), and after each read checks the screen for the conditions asked for.
// It prints, per condition, the milliseconds from just before the command
// started to the read after which the condition first held (the monotonic
// clock), as "key value" lines:
//
//	list_ms 48.213      --until-list N: header counts add up to N, the first row drawn
//	runbook_ms 48.213   --until-runbook: 'Runbook:' and 'q quit' on screen (after the list)
//	exit_ms 9.870       --until-exit: the command exited (launch to exit)
//
// Then it stops the command (SIGTERM) or, with --keep, prints "pid N" and
// keeps the terminal alive for the command until it gets SIGTERM itself.
// scripts/bench_console.sh uses it for docs/benchmarks.md section 5.
//
//	firstframe [--size 200x60] [--until-list N] [--until-runbook] [--until-exit]
//	           [--timeout 30s] [--keep] [--stderr FILE] [--term xterm-256color]
//	           -- COMMAND [ARG...]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, stop))
}

// run is main with its exit code: 0 every condition held, 1 one did not
// (the error shows the last screen), 2 usage. With --keep, the command
// runs on until stop receives.
func run(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) int {
	opts, argv, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "firstframe:", err)
		return 2
	}
	s, err := start(opts, argv)
	if err != nil {
		fmt.Fprintln(stderr, "firstframe:", err)
		return 1
	}
	marks, err := s.waitFor()
	for _, m := range marks {
		fmt.Fprintf(stdout, "%s %.3f\n", m.key, float64(m.at)/float64(time.Millisecond))
	}
	if err != nil {
		s.stop()
		fmt.Fprintln(stderr, "firstframe:", err)
		return 1
	}
	if opts.keep && !s.reaped {
		fmt.Fprintf(stdout, "pid %d\n", s.cmd.Process.Pid)
		s.keepDraining(stop)
	}
	s.stop()
	return 0
}

func parseFlags(args []string, stderr io.Writer) (options, []string, error) {
	fs := flag.NewFlagSet("firstframe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.String("size", "200x60", "terminal size, COLUMNSxROWS")
	var o options
	fs.StringVar(&o.term, "term", "xterm-256color", "TERM of the command")
	fs.IntVar(&o.untilList, "until-list", 0, "wait for the first alarm list of `N` alarms (header counts add up to N, the row of alarm 0000 drawn)")
	fs.BoolVar(&o.runbook, "until-runbook", false, "wait for the frame with the runbook ('Runbook:' and 'q quit', after the list if --until-list)")
	fs.BoolVar(&o.exit, "until-exit", false, "wait for the command to exit")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up after this long, showing the last screen")
	fs.StringVar(&o.stderr, "stderr", "", "append the command's stderr to this `file` (as a shell's 2>>) instead of drawing it on the terminal")
	fs.BoolVar(&o.keep, "keep", false, "once the conditions held, print the command's pid and keep it running until SIGTERM")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: firstframe [flags] -- COMMAND [ARG...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, nil, err
	}
	if _, err := fmt.Sscanf(strings.Replace(*size, "x", " ", 1), "%d %d", &o.cols, &o.rows); err != nil || o.cols < 1 || o.rows < 1 || o.cols > 1000 || o.rows > 1000 {
		return o, nil, fmt.Errorf("--size %q: want COLUMNSxROWS, e.g. 200x60", *size)
	}
	switch {
	case fs.NArg() == 0:
		return o, nil, errors.New("no command given (firstframe [flags] -- COMMAND [ARG...])")
	case o.untilList < 0:
		return o, nil, fmt.Errorf("--until-list %d: want a count of alarms", o.untilList)
	case o.untilList == 0 && !o.runbook && !o.exit:
		return o, nil, errors.New("nothing to wait for: give --until-list N, --until-runbook or --until-exit")
	case o.timeout <= 0:
		return o, nil, fmt.Errorf("--timeout %v: want a positive duration", o.timeout)
	case o.keep && o.exit:
		return o, nil, errors.New("--keep and --until-exit: a command that exited cannot be kept")
	}
	return o, fs.Args(), nil
}
