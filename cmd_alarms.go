package main

import (
	"context"
	"io"
)

func runAlarms(_ context.Context, _ []string, _, stderr io.Writer) int {
	return notBuilt("alarms", stderr)
}
