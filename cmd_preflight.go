package main

import (
	"context"
	"io"
)

func runPreflight(_ context.Context, _ []string, _, stderr io.Writer) int {
	return notBuilt("preflight", stderr)
}
