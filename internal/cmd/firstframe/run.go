package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// options are the flags: the terminal, what to wait for, how long.
type options struct {
	cols, rows int
	term       string        // TERM of the command
	untilList  int           // alarms the first list must count; 0: do not wait for it
	runbook    bool          // wait for the frame with the runbook
	exit       bool          // wait for the command to exit
	timeout    time.Duration // for every condition together
	keep       bool          // leave the command running once the conditions held
	stderr     string        // append the command's stderr to this file instead of the pty
}

// mark is one condition's time: from just before the command started to
// the read (or, for exit, the wait) after which it first held.
type mark struct {
	key string
	at  time.Duration
}

// chunk is one read of the pty master, stamped when the read returned.
type chunk struct {
	data []byte
	at   time.Duration
}

// session is the command on its pty and the terminal emulator it draws on.
type session struct {
	opts   options
	cmd    *exec.Cmd
	ptmx   *os.File
	emu    *vt.Emulator
	start  time.Time // a monotonic reading: Sub and Since use it
	reads  chan chunk
	exited chan exitInfo
	reaped bool // the exit was received (by waitFor or stop)
}

// exitInfo is the command's end: when Wait returned, and what it said.
type exitInfo struct {
	at  time.Duration
	err error
}

// start opens a pty of the given size, starts argv on it with TERM set, and
// starts the goroutines that read its output, answer the terminal queries
// the emulator answers (DECRQM, OSC 10/11/12, DA, DSR/CPR) back into the
// pty as a terminal would, and reap it.
func start(opts options, argv []string) (*session, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("open a pty: %w", err)
	}
	defer func() { _ = tty.Close() }() // the child holds its own copy
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(opts.cols), Rows: uint16(opts.rows)}); err != nil {
		_ = ptmx.Close()
		return nil, fmt.Errorf("size the pty: %w", err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "TERM="+opts.term)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if opts.stderr != "" {
		f, err := os.OpenFile(opts.stderr, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			_ = ptmx.Close()
			return nil, fmt.Errorf("--stderr: %w", err)
		}
		defer func() { _ = f.Close() }() // the child holds its own copy
		cmd.Stderr = f
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	s := &session{opts: opts, cmd: cmd, ptmx: ptmx, emu: vt.NewEmulator(opts.cols, opts.rows),
		reads: make(chan chunk, 64), exited: make(chan exitInfo, 1)}
	s.start = time.Now()
	if err := cmd.Start(); err != nil {
		_ = ptmx.Close()
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	go s.readPty()
	go func() { _, _ = io.Copy(ptmx, s.emu) }() // the emulator's answers are the terminal's input
	go func() {
		err := cmd.Wait()
		s.exited <- exitInfo{at: time.Since(s.start), err: err}
	}()
	return s, nil
}

// readPty sends every read of the master, stamped, until the slave side is
// gone (EIO on Linux once the command and its children closed it).
func (s *session) readPty() {
	defer close(s.reads)
	buf := make([]byte, 64<<10)
	for {
		n, err := s.ptmx.Read(buf)
		at := time.Since(s.start)
		if n > 0 {
			s.reads <- chunk{data: append([]byte(nil), buf[:n]...), at: at}
		}
		if err != nil {
			return
		}
	}
}

// waiter tracks the screen conditions still pending.
type waiter struct {
	opts      options
	listSeen  bool
	list      listState
	marks     []mark
	exitSeen  bool
	lastScene string // the last screen read, for the error
}

// done says whether every condition asked for has held.
func (w *waiter) done() bool {
	return (w.opts.untilList == 0 || w.listSeen) && (!w.opts.runbook || w.hasMark("runbook_ms")) &&
		(!w.opts.exit || w.exitSeen)
}

func (w *waiter) hasMark(key string) bool {
	for _, m := range w.marks {
		if m.key == key {
			return true
		}
	}
	return false
}

// screenPending says whether a screen condition is still pending, so the
// screen is worth reading after a write.
func (w *waiter) screenPending() bool {
	return (w.opts.untilList > 0 && !w.listSeen) || (w.opts.runbook && !w.hasMark("runbook_ms"))
}

// look checks one screen read at at. The runbook frame counts only once the
// list has been seen (at this read or before), as in first_frame.
func (w *waiter) look(screen string, at time.Duration) {
	w.lastScene = screen
	if w.opts.untilList > 0 && !w.listSeen {
		w.list = readList(screen)
		if w.list.ready(w.opts.untilList) {
			w.listSeen = true
			w.marks = append(w.marks, mark{"list_ms", at})
		}
	}
	listOK := w.opts.untilList == 0 || w.listSeen
	if w.opts.runbook && listOK && !w.hasMark("runbook_ms") && runbookReady(screen) {
		w.marks = append(w.marks, mark{"runbook_ms", at})
	}
}

// missing says which conditions did not hold, for an error.
func (w *waiter) missing() string {
	var out []string
	if w.opts.untilList > 0 && !w.listSeen {
		out = append(out, fmt.Sprintf("the first list of %d alarms (%s)", w.opts.untilList, w.list))
	}
	if w.opts.runbook && !w.hasMark("runbook_ms") {
		out = append(out, "the frame with the runbook ('Runbook:' and 'q quit')")
	}
	if w.opts.exit && !w.exitSeen {
		out = append(out, "the command's exit")
	}
	return strings.Join(out, "; ")
}

// errTimeout and errExited say why the conditions never held; the error
// carries the last screen.
var (
	errTimeout = errors.New("timed out")
	errExited  = errors.New("the command exited")
)

// waitFor feeds the emulator every read and checks the conditions after
// each, until all held, the timeout, or the command's exit and the end of
// its output before they held.
func (s *session) waitFor() ([]mark, error) {
	w := &waiter{opts: s.opts}
	deadline := time.NewTimer(s.opts.timeout)
	defer deadline.Stop()
	reads := s.reads
	var exit *exitInfo
	for !w.done() {
		if exit != nil && reads == nil {
			return w.marks, s.failure(w, errExited, exit)
		}
		select {
		case c, ok := <-reads:
			if !ok {
				reads = nil // the output is over; the exit tells the rest
				continue
			}
			_, _ = s.emu.Write(c.data)
			if w.screenPending() {
				w.look(s.emu.String(), c.at)
			}
		case e := <-s.exited:
			exit, s.reaped = &e, true
			if s.opts.exit {
				w.exitSeen = true
				w.marks = append(w.marks, mark{"exit_ms", e.at})
			}
		case <-deadline.C:
			return w.marks, s.failure(w, errTimeout, exit)
		}
	}
	return w.marks, nil
}

func (s *session) failure(w *waiter, why error, exit *exitInfo) error {
	screen := w.lastScene
	if screen == "" {
		screen = s.emu.String()
	}
	status := "still running"
	if exit != nil {
		status = fmt.Sprintf("exited: %v", exit.err)
		if exit.err == nil {
			status = "exited: status 0"
		}
	}
	return fmt.Errorf("%w after %v (%s) waiting for %s; last screen:\n%s",
		why, time.Since(s.start).Round(time.Millisecond), status, w.missing(), screen)
}

// keepDraining feeds the emulator for as long as the command writes, so it
// never blocks on a full pty while it runs unwatched (--keep), until stop
// is closed or the output ends.
func (s *session) keepDraining(stop <-chan os.Signal) {
	reads := s.reads
	for {
		select {
		case c, ok := <-reads:
			if !ok {
				return
			}
			_, _ = s.emu.Write(c.data)
		case <-stop:
			return
		}
	}
}

// stop sends the command SIGTERM, and SIGKILL if it has not exited 5 s later.
func (s *session) stop() {
	if !s.reaped {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		t := time.NewTimer(5 * time.Second)
		defer t.Stop()
		go func() { // the reads go on, or the command blocks writing its last frame
			for range s.reads {
			}
		}()
		select {
		case <-s.exited:
		case <-t.C:
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	}
	// The emulator is not closed: its Close races with the Read of the
	// goroutine answering queries, which stays blocked on the emulator's
	// empty pipe until the process ends (one goroutine, once per run).
	_ = s.ptmx.Close()
}
