package main

import (
	"context"
	"io"
)

func runAdminServer(_ context.Context, _ []string, _, stderr io.Writer) int {
	return notBuilt("admin-server", stderr)
}
