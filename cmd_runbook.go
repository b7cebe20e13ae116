package main

import (
	"context"
	"io"
)

func runRunbook(_ context.Context, _ []string, _, stderr io.Writer) int {
	return notBuilt("runbook", stderr)
}
