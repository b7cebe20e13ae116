package main

import (
	"context"
	"io"
)

func runJournal(_ context.Context, _ []string, _, stderr io.Writer) int {
	return notBuilt("journal", stderr)
}
