package main

import (
	"context"
	"io"
)

func runDemo(_ context.Context, _ []string, _, stderr io.Writer) int {
	return notBuilt("demo", stderr)
}
