package cli

import (
	"context"
	"io"
)

// runAdminServer and runCloudWatchLocal run the server subcommands through
// the whole command line (run): flags, the error printed once on stderr and
// the exit code of the table, as a container or a script sees them.
func runAdminServer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return dispatch(ctx, append([]string{"admin-server"}, args...), stdout, stderr)
}

func runCloudWatchLocal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return dispatch(ctx, append([]string{"cloudwatch-local"}, args...), stdout, stderr)
}
