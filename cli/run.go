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

	"gatewayops/internal/termsafe"
	"gatewayops/ops"
)

// cliArmFor is how long `run --confirm NAME --reason TEXT` arms a protected
// environment: long enough for one plan/apply/verify, and only for this process.
const cliArmFor = 10 * time.Minute

// parseInterleaved parses flags that may come before, between or after the
// positional arguments (`run flags.set ensemble_enabled=false --env staging`).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := flagErr(fs, fs.Parse(args)); err != nil {
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

const runSynopsis = "gatewayops run ACTION [key=value ...] [--env NAME] [--config FILE] [--yes] [--confirm NAME --reason TEXT] [--json]"

func parseRunFlags(args []string, std stdio) (runFlags, []string, error) {
	var f runFlags
	fs := newFlagSet("run", runSynopsis, std.Out,
		"exit: 0 ok, 1 failed or verification failed, 2 usage error, 3 refused by safety, 4 rollout in progress (Ctrl-C detached)",
		"\nactions:\n"+strings.TrimRight(ops.DefaultRegistry().HelpAll(), "\n")+"\n\nflags:")
	f.register(fs)
	fs.BoolVar(&f.yes, "yes", false, "confirm a write on a standard environment")
	fs.StringVar(&f.confirm, "confirm", "", "protected environments: the environment's name, typed exactly")
	fs.StringVar(&f.reason, "reason", "", "protected environments: why this write is needed (journaled)")
	fs.BoolVar(&f.json, "json", false, "print the outcome as JSON")
	words, err := parseInterleaved(fs, args)
	if err != nil {
		return f, nil, err
	}
	if len(words) == 0 {
		return f, nil, usagef("no action given; known actions: %s", strings.Join(ops.DefaultRegistry().Names(), ", "))
	}
	return f, words, nil
}

func runAction(ctx context.Context, args []string, std stdio) error {
	f, words, err := parseRunFlags(args, std)
	if err != nil {
		return helpOrErr(err)
	}
	inv, err := ops.DefaultRegistry().Parse(commandLine(words))
	if err != nil {
		return usageErr(err)
	}
	t, err := f.resolve()
	if err != nil {
		return err
	}
	if err := t.configured(); err != nil {
		return err
	}
	for _, w := range t.Env.Warnings() {
		fmt.Fprintln(std.Err, w)
	}
	s, err := openSession(ctx, t.Config, t.Env)
	if err != nil {
		return failedErr(err)
	}
	defer s.close()
	for _, u := range s.runner.Journal.Unresolved() {
		fmt.Fprintf(std.Err, "journal: outcome unknown: %s %s on %s at %s (id %s): check before repeating it\n",
			u.Action, termsafe.String(ops.FormatParams(u.Params)), u.Environment, u.Time.UTC().Format(time.RFC3339), u.ID)
	}
	return s.runOne(ctx, inv, f, std)
}

// runOne plans, asks the policy's pre-check, maps the flags onto a
// confirmation, executes and prints. The policy decides every refusal (and
// the runner journals it); this function only adds the flag to pass.
func (s *session) runOne(ctx context.Context, inv ops.Invocation, f runFlags, std stdio) error {
	p, err := s.runner.Prepare(ctx, inv)
	if err != nil {
		return failedErr(err)
	}
	var conf ops.Confirmation
	if p.Spec.Kind == ops.Write {
		if !f.json {
			fmt.Fprintf(std.Out, "plan (%s, %s):\n%s\n", s.env.Name, s.env.Safety, indent(termsafe.Text(p.Plan.Text())))
		}
		if p.Plan.NoChange {
			// Nothing would change: no confirmation to ask for, nothing sent,
			// but the attempt is journaled like every other.
			if err := s.runner.JournalNoChange(p); err != nil {
				return failedErr(fmt.Errorf("nothing to change, but the attempt could not be journaled: %w", err))
			}
			fmt.Fprintln(std.Err, "nothing to change: not applied")
			return nil
		}
		if conf, err = s.confirmation(f); err != nil {
			return err
		}
		if err := s.runner.Precheck(p); err != nil {
			return s.refusal(err, f)
		}
	}
	out, err := s.runner.Execute(withRolloutLines(ctx, std, f.json), p, conf)
	if ops.IsRefused(err) {
		return s.refusal(err, f)
	}
	printOutcome(out, s.env.Name, f.json, std.Out)
	if err != nil && out.InProgress {
		return withKind(kindInProgress, errors.New(termsafe.String(err.Error())))
	}
	if err != nil {
		return failedErr(errors.New(termsafe.String(err.Error())))
	}
	if !out.OK() {
		return silent(kindFailed)
	}
	return nil
}

// confirmation maps --yes / --confirm / --reason onto what the policy
// checks: on a protected environment the typed name, with --reason arming it
// for this process; on a standard one --yes as the confirming key.
func (s *session) confirmation(f runFlags) (ops.Confirmation, error) {
	if s.env.Safety != ops.Protected {
		if f.confirm != "" {
			return ops.Confirmation{}, usagef("--confirm applies to protected environments; %s is standard: use --yes", s.env.Name)
		}
		c := ops.Confirmation{StartKey: "run"}
		if f.yes {
			c.ConfirmKey = "--yes"
		}
		return c, nil
	}
	if strings.TrimSpace(f.reason) != "" {
		if err := s.runner.Policy.Arm(f.reason, cliArmFor); err != nil {
			return ops.Confirmation{}, usageErr(err)
		}
	}
	return ops.Confirmation{Typed: f.confirm}, nil
}

// refusal is the policy's refusal with the flags that would satisfy it.
func (s *session) refusal(err error, f runFlags) error {
	name := s.env.Name
	var hint string
	yesHint := fmt.Sprintf("--yes is not accepted on protected environment %s: add --confirm %s --reason TEXT", name, name)
	switch rule := ops.RefusedRule(err); {
	case rule == ops.RuleNotArmed && f.confirm != "":
		hint = "a reason is required: add --reason TEXT (what incident, why this write)"
	case rule == ops.RuleNotArmed && f.yes:
		hint = yesHint
	case rule == ops.RuleNotArmed:
		hint = fmt.Sprintf("%s is protected: add --confirm %s --reason TEXT to apply this plan", name, name)
	case rule == ops.RuleNotTyped && f.confirm == "":
		hint = yesHint
	case rule == ops.RuleNotTyped:
		hint = fmt.Sprintf("--confirm %q does not match the environment name %q", f.confirm, name)
	case rule == ops.RuleNoConfirmation:
		hint = "not applied: add --yes to apply this plan"
	}
	if hint != "" {
		return refusedErr(fmt.Errorf("%w; %s", err, hint))
	}
	return refusedErr(err)
}

func printOutcome(out ops.Outcome, env string, asJSON bool, w io.Writer) {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return
	}
	fmt.Fprintln(w, termsafe.Text(out.Result.Text()))
	if v := out.Verification; v != nil {
		verdict := "PASS"
		if !v.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "verify: %s: %s\n", verdict, termsafe.String(v.Detail))
	}
	if out.Inverse != "" {
		fmt.Fprintf(w, "undo: gatewayops run %s --env %s\n", termsafe.String(out.Inverse), env)
	}
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }
