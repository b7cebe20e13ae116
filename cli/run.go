package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"gatewayops/ops"
)

// Exit codes of the headless action commands (run, preflight).
const (
	exitOK      = 0
	exitFailed  = 1 // the action failed, or its verification did
	exitUsage   = 2
	exitRefused = 3 // refused by the environment's safety policy
)

// cliArmFor is how long `run --confirm NAME --reason TEXT` arms a protected
// environment: long enough for one plan/apply/verify, and only for this process.
const cliArmFor = 10 * time.Minute

// envFlags select the config file and environment; shared by run, preflight, journal.
type envFlags struct {
	config string
	env    string
}

func (f *envFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "config file (default $XDG_CONFIG_HOME/gatewayops/config.toml)")
	fs.StringVar(&f.env, "env", "", "environment from the config file (default: default_environment)")
}

func (f envFlags) load() (ops.Config, ops.Environment, error) {
	path, explicit := f.config, f.config != ""
	if !explicit {
		p, err := ops.DefaultConfigPath()
		if err != nil {
			return ops.Config{}, ops.Environment{}, err
		}
		path = p
	}
	cfg, err := ops.LoadConfig(path, explicit)
	if err != nil {
		return ops.Config{}, ops.Environment{}, err
	}
	e, err := cfg.Select(f.env)
	return cfg, e, err
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments (`run flags.set ensemble_enabled=false --env staging`).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// commandLine turns shell words back into one grammar line: the shell has
// already removed the quotes of reason="two words", so values are re-quoted.
func commandLine(words []string) string {
	parts := []string{words[0]}
	for _, w := range words[1:] {
		if k, v, ok := strings.Cut(w, "="); ok {
			parts = append(parts, k+"="+ops.Quote(v))
		} else {
			parts = append(parts, w)
		}
	}
	return strings.Join(parts, " ")
}

type runFlags struct {
	envFlags
	yes     bool
	confirm string
	reason  string
	json    bool
}

func parseRunFlags(args []string, stderr io.Writer) (runFlags, []string, error) {
	var f runFlags
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	fs.BoolVar(&f.yes, "yes", false, "confirm a write on a standard environment")
	fs.StringVar(&f.confirm, "confirm", "", "protected environments: the environment's name, typed exactly")
	fs.StringVar(&f.reason, "reason", "", "protected environments: why this write is needed (journaled)")
	fs.BoolVar(&f.json, "json", false, "print the outcome as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gatewayops run ACTION [key=value ...] [--env NAME] [--config FILE] [--yes] [--confirm NAME --reason TEXT] [--json]")
		fmt.Fprintln(stderr, "exit: 0 ok, 1 failed or verification failed, 2 usage error, 3 refused by safety")
		fmt.Fprintln(stderr, "\nactions:")
		fmt.Fprint(stderr, ops.DefaultRegistry().HelpAll())
		fs.PrintDefaults()
	}
	words, err := parseInterleaved(fs, args)
	if err != nil {
		return f, nil, err
	}
	if len(words) == 0 {
		return f, nil, errors.New("no action given; known actions: " + strings.Join(ops.DefaultRegistry().Names(), ", "))
	}
	return f, words, nil
}

func runAction(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, words, err := parseRunFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops run:", err)
		return exitUsage
	}
	reg := ops.DefaultRegistry()
	inv, err := reg.Parse(commandLine(words))
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops run:", err)
		return exitUsage
	}
	s, code := openSession(ctx, f.envFlags, stderr)
	if s == nil {
		return code
	}
	defer s.close()
	return s.runOne(ctx, inv, f, stdout, stderr)
}

// session is one environment's runner for a headless command.
type session struct {
	runner *ops.Runner
	env    ops.Environment
	close  func()
}

func openSession(ctx context.Context, f envFlags, stderr io.Writer) (*session, int) {
	cfg, e, err := f.load()
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops:", err)
		return nil, exitUsage
	}
	for _, w := range e.Warnings() {
		fmt.Fprintln(stderr, w)
	}
	env, closeEnv, err := ops.BuildEnv(ctx, e, cfg.OperatorName())
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops:", err)
		return nil, exitUsage
	}
	policy, err := ops.NewPolicy(e.Name, e.Safety, nil)
	if err != nil {
		closeEnv()
		fmt.Fprintln(stderr, "gatewayops:", err)
		return nil, exitUsage
	}
	path, err := ops.DefaultJournalPath()
	var j *ops.Journal
	if err == nil {
		j, err = ops.OpenJournal(path, ops.NewRedactor(e.Secrets()...))
	}
	if err != nil {
		closeEnv()
		fmt.Fprintln(stderr, "gatewayops: journal:", err)
		return nil, exitFailed
	}
	for _, u := range j.Unresolved() {
		fmt.Fprintf(stderr, "journal: outcome unknown: %s %s on %s at %s (id %s): check before repeating it\n",
			u.Action, ops.FormatParams(u.Params), u.Environment, u.Time.Format(time.RFC3339), u.ID)
	}
	r := &ops.Runner{Registry: ops.DefaultRegistry(), Env: env, Policy: policy, Journal: j, Operator: cfg.OperatorName()}
	return &session{runner: r, env: e, close: func() { _ = j.Close(); closeEnv() }}, exitOK
}

// runOne plans, decides the confirmation from the flags, executes and prints.
func (s *session) runOne(ctx context.Context, inv ops.Invocation, f runFlags, stdout, stderr io.Writer) int {
	p, err := s.runner.Prepare(ctx, inv)
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops run:", err)
		return exitFailed
	}
	var conf ops.Confirmation
	if p.Spec.Kind == ops.Write {
		if !f.json {
			fmt.Fprintf(stdout, "plan (%s, %s):\n%s\n", s.env.Name, s.env.Safety, indent(p.Plan.Text()))
		}
		if p.Plan.NoChange {
			// Nothing would change: no confirmation to ask for, nothing sent.
			fmt.Fprintln(stderr, "nothing to change: not applied")
			return exitOK
		}
		c, code := s.confirmation(f, stderr)
		if code != exitOK {
			return code
		}
		conf = c
	}
	out, err := s.runner.Execute(ctx, p, conf)
	if ops.IsRefused(err) {
		fmt.Fprintln(stderr, "gatewayops run:", err)
		return exitRefused
	}
	printOutcome(out, s.env.Name, f.json, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops run:", err)
	}
	if !out.OK() {
		return exitFailed
	}
	return exitOK
}

// confirmation maps --yes / --confirm / --reason onto the safety policy.
func (s *session) confirmation(f runFlags, stderr io.Writer) (ops.Confirmation, int) {
	name := s.env.Name
	if s.env.Safety == ops.Protected {
		switch {
		case f.yes:
			fmt.Fprintf(stderr, "refused: --yes is not accepted on protected environment %s: add --confirm %s --reason TEXT\n", name, name)
			return ops.Confirmation{}, exitRefused
		case f.confirm == "":
			fmt.Fprintf(stderr, "refused: %s is protected: add --confirm %s --reason TEXT to apply this plan\n", name, name)
			return ops.Confirmation{}, exitRefused
		case f.confirm != name:
			fmt.Fprintf(stderr, "refused: --confirm %q does not match the environment name %q\n", f.confirm, name)
			return ops.Confirmation{}, exitRefused
		}
		if err := s.runner.Policy.Arm(f.reason, cliArmFor); err != nil {
			fmt.Fprintf(stderr, "refused: %v (add --reason TEXT)\n", err)
			return ops.Confirmation{}, exitRefused
		}
		return ops.Confirmation{Typed: f.confirm}, exitOK
	}
	if f.confirm != "" {
		fmt.Fprintf(stderr, "gatewayops run: --confirm applies to protected environments; %s is standard: use --yes\n", name)
		return ops.Confirmation{}, exitUsage
	}
	if !f.yes {
		fmt.Fprintln(stderr, "not applied: add --yes to apply this plan")
		return ops.Confirmation{}, exitRefused
	}
	return ops.Confirmation{StartKey: "run", ConfirmKey: "--yes"}, exitOK
}

func printOutcome(out ops.Outcome, env string, asJSON bool, w io.Writer) {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return
	}
	fmt.Fprintln(w, out.Result.Text())
	if v := out.Verification; v != nil {
		verdict := "PASS"
		if !v.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "verify: %s: %s\n", verdict, v.Detail)
	}
	if out.Inverse != "" {
		fmt.Fprintf(w, "undo: gatewayops run %s --env %s\n", out.Inverse, env)
	}
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }
