package cli

import (
	"context"
	"io"
)

// legacyCommand adapts a subcommand that still returns its exit code and
// prints its own errors (admin-server, cloudwatch-local: servers whose
// files other work is changing) to the table: its 0/1/2/3 mean ok,
// failed, usage, refused as for every action command.
func legacyCommand(run func(ctx context.Context, args []string, stdout, stderr io.Writer) int) func(context.Context, []string, stdio) error {
	return func(ctx context.Context, args []string, std stdio) error {
		switch run(ctx, args, std.Out, std.Err) {
		case exitOK:
			return nil
		case exitUsage:
			return silent(kindUsage)
		case exitRefused:
			return silent(kindRefused)
		default:
			return silent(kindFailed)
		}
	}
}
