package ops

import (
	"context"
	"fmt"
	"os"
	"os/user"

	"github.com/redis/go-redis/v9"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"github.com/aws/smithy-go/logging"
)

// BuildOptions adjust BuildEnv; the zero value builds the default.
type BuildOptions struct {
	// AWSLogger receives the AWS SDK's log lines (nil: the SDK's default,
	// stderr). The console passes its log sink: nothing may write to the
	// terminal while the full-screen UI owns it.
	AWSLogger logging.Logger
}

// BuildEnv builds the backends of one configured environment: the admin API
// client options (key read from admin_key_env), CloudWatch through the SDK
// (with cloudwatch_endpoint as base endpoint when set) and, when
// redis_url_env is set, the read-only Redis inspector. The returned close
// function releases the Redis connection.
func BuildEnv(ctx context.Context, e Environment, operator string, opts ...BuildOptions) (*Env, func(), error) {
	var o BuildOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if e.AdminURL == "" && e.Name == DemoEnvironment {
		return nil, nil, fmt.Errorf("environment demo has endpoints only inside `gatewayops demo`; pass --env NAME of a configured environment")
	}
	env := &Env{Name: e.Name, Config: e, AdminURL: e.AdminURL,
		AdminOptions: gateway.ClientOptions{Operator: operator, InsecureSkipVerify: e.InsecureSkipVerify}}
	// A missing key fails the actions that need the admin API, not the
	// CloudWatch-only ones (preflight, alarm history, journal export).
	if key, err := e.AdminKey(); err != nil {
		env.adminErr = err
	} else {
		env.AdminOptions.APIKey = key
	}
	cw, err := alarms.NewClient(ctx, alarms.ClientOptions{Region: e.Region, Profile: e.Profile,
		Endpoint: e.CloudWatchEndpoint, Anonymous: alarms.IsLocalEndpoint(e.CloudWatchEndpoint), Logger: o.AWSLogger})
	if err != nil {
		return nil, nil, fmt.Errorf("environment %s: CloudWatch: %w", e.Name, err)
	}
	env.CloudWatch, env.Alarms = cw, alarms.NewSource(cw, e.AlarmPrefix)
	if env.ECS, err = buildECS(ctx, e, o.AWSLogger); err != nil {
		return nil, nil, err
	}
	env.ECSFollow = followFor()
	closeFn := func() {}
	raw, err := e.RedisURL()
	if err != nil {
		return nil, nil, err
	}
	if raw != "" {
		opts, err := redis.ParseURL(raw)
		if err != nil {
			// The URL may hold a password: never echo it.
			return nil, nil, fmt.Errorf("environment %s: %s does not hold a valid redis:// or rediss:// URL", e.Name, e.RedisURLEnv)
		}
		rdb := redis.NewClient(opts)
		env.Inspector = gateway.NewInspector(rdb)
		closeFn = func() { _ = rdb.Close() }
	}
	return env, closeFn, nil
}

// Secrets returns the secret values of an environment (admin key, Redis URL),
// for the journal's redactor.
func (e Environment) Secrets() []string {
	var out []string
	for _, name := range []string{e.AdminKeyEnv, e.RedisURLEnv} {
		if name != "" {
			if v := os.Getenv(name); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// OperatorName is the configured operator, else $USER, else the login name
// of the process's user (a tmux or cron shell may have no $USER), else
// "unknown". It is sent as X-Operator and journaled, so it is never empty.
func (c Config) OperatorName() string {
	if c.Operator != "" {
		return c.Operator
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
