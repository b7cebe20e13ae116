package main

import (
	"context"
	"io"
)

func runAction(_ context.Context, _ []string, _, stderr io.Writer) int {
	return notBuilt("run", stderr)
}
