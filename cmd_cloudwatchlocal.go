package main

import (
	"context"
	"io"
)

func runCloudWatchLocal(_ context.Context, _ []string, _, stderr io.Writer) int {
	return notBuilt("cloudwatch-local", stderr)
}
