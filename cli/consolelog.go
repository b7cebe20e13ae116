package cli

import (
	"log"
	"path/filepath"

	"github.com/redis/go-redis/v9"

	"gatewayops/internal/logsink"
	"gatewayops/ops"
)

// consoleLogName is the log file beside the journal in the state dir.
const consoleLogName = "console.log"

// openConsoleLog routes every library logger of the process into one sink
// while the console owns the terminal: go-redis (redis.SetLogger, a
// process-wide setting with no getter, so it stays on the sink until the
// process exits: decision 82), the standard log package (and slog's
// default handler, which writes through it) until restore, and the AWS SDK
// through the sink's AWS logger, which the caller hands to ops.BuildEnv.
// Lines are redacted with the environment's secrets, like the journal.
func openConsoleLog(env ops.Environment) (*logsink.Sink, func(), error) {
	jpath, err := ops.DefaultJournalPath()
	if err != nil {
		return nil, nil, err
	}
	sink, err := logsink.Open(logsink.Options{Path: filepath.Join(filepath.Dir(jpath), consoleLogName),
		Redact: ops.NewRedactor(env.Secrets()...).String})
	if err != nil {
		return nil, nil, err
	}
	redis.SetLogger(sink.Redis())
	prev, prevFlags := log.Writer(), log.Flags()
	log.SetOutput(sink)
	log.SetFlags(0) // the sink stamps its own time
	return sink, func() {
		log.SetOutput(prev)
		log.SetFlags(prevFlags)
		_ = sink.Close()
	}, nil
}
