package main

import (
	"context"
	"io"
)

func runConsole(_ context.Context, _ []string, _, stderr io.Writer) int {
	return notBuilt("console", stderr)
}
