package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/redis/go-redis/v9"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"gatewayops/internal/awshint"
	"gatewayops/internal/termsafe"
	"gatewayops/ops"
)

// doctorTimeout bounds each probe: doctor is what someone runs when things
// hang, so it must not hang itself.
const doctorTimeout = 10 * time.Second

// gatewayNamespace is where the gateway publishes its metrics (EMF).
const gatewayNamespace = "Arrakis/AgentGateway"

// doctor runs read-only probes against one environment's backends and
// prints one line per probe. It never writes: the mute-rule writes are
// named, not tried.
type doctor struct {
	out    io.Writer
	failed int
}

func (d *doctor) ok(name, format string, args ...any) {
	fmt.Fprintf(d.out, "✓ %-22s %s\n", name, termsafe.String(fmt.Sprintf(format, args...)))
}

func (d *doctor) fail(name, format string, args ...any) {
	d.failed++
	fmt.Fprintf(d.out, "✗ %-22s %s\n", name, termsafe.String(fmt.Sprintf(format, args...)))
}

func (d *doctor) skip(name, format string, args ...any) {
	fmt.Fprintf(d.out, "- %-22s %s\n", name, termsafe.String(fmt.Sprintf(format, args...)))
}

func runDoctor(ctx context.Context, args []string, std stdio) error {
	var ef envFlags
	fs := newFlagSet("doctor", "gatewayops doctor [--env NAME] [--config FILE]", std.Out,
		"Read-only: checks the config, AWS credentials, each CloudWatch call the console makes,",
		"the admin API with its key, and Redis when configured. exit: 0 all pass, 1 a check failed, 2 usage/config.")
	ef.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return helpOrErr(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	d := &doctor{out: std.Out}
	t, err := ef.resolve()
	if err == nil {
		err = t.configured()
	}
	if err != nil {
		d.fail("config", "%v", err)
		return silent(kindUsage)
	}
	e := t.Env
	d.ok("config", "%s: environment %s (%s, region %s)", t.Path, e.Name, e.Safety, e.Region)
	d.cloudWatch(ctx, e)
	d.adminAPI(ctx, e, t.Config.OperatorName())
	d.redis(ctx, e)
	if d.failed > 0 {
		return failedErr(fmt.Errorf("%d check(s) failed", d.failed))
	}
	fmt.Fprintln(std.Out, "all checks passed")
	return nil
}

// cloudWatch resolves credentials, then tries each read the console makes.
func (d *doctor) cloudWatch(ctx context.Context, e ops.Environment) {
	local := alarms.IsLocalEndpoint(e.CloudWatchEndpoint)
	if local {
		d.skip("aws credentials", "not needed: %s is a local endpoint", e.CloudWatchEndpoint)
	} else if !d.credentials(ctx, e) {
		return
	}
	cw, err := alarms.NewClient(ctx, alarms.ClientOptions{Region: e.Region, Profile: e.Profile,
		Endpoint: e.CloudWatchEndpoint, Anonymous: local, RetryMaxAttempts: 1})
	if err != nil {
		d.fail("cloudwatch", "%v", err)
		return
	}
	for _, p := range cloudWatchProbes(e) {
		pctx, cancel := context.WithTimeout(ctx, doctorTimeout)
		detail, err := p.call(pctx, cw)
		cancel()
		if err != nil {
			d.fail(p.action, "%s", awshint.Explain(err, "cloudwatch:"+p.action, e.Profile))
			continue
		}
		d.ok(p.action, "%s", detail)
	}
	d.skip("PutAlarmMuteRule", "not tried (a write): alarm.mute needs cloudwatch:PutAlarmMuteRule and cloudwatch:DeleteAlarmMuteRule")
}

// credentials resolves the SDK's chain the way the console will.
func (d *doctor) credentials(ctx context.Context, e ops.Environment) bool {
	var loads []func(*awsconfig.LoadOptions) error
	if e.Profile != "" {
		loads = append(loads, awsconfig.WithSharedConfigProfile(e.Profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		d.fail("aws credentials", "loading AWS config (profile %q): %v", e.Profile, err)
		return false
	}
	cctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	creds, err := cfg.Credentials.Retrieve(cctx)
	if err != nil {
		if awshint.Classify(err) == awshint.Expired {
			d.fail("aws credentials", "credentials expired: %s", awshint.Renew(e.Profile))
		} else {
			d.fail("aws credentials", "none resolved (profile %q): %v", e.Profile, err)
		}
		return false
	}
	how := creds.Source
	if e.Profile != "" {
		how = "profile " + e.Profile + " (" + creds.Source + ")"
	}
	if creds.CanExpire {
		how += ", expires " + creds.Expires.UTC().Format(time.RFC3339)
	}
	d.ok("aws credentials", "%s", how)
	return true
}

// cwProbe is one read-only CloudWatch call and the IAM action it needs.
type cwProbe struct {
	action string
	call   func(ctx context.Context, cw *cloudwatch.Client) (string, error)
}

func cloudWatchProbes(e ops.Environment) []cwProbe {
	prefix := e.AlarmPrefix
	return []cwProbe{
		{"DescribeAlarms", func(ctx context.Context, cw *cloudwatch.Client) (string, error) {
			out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(prefix), MaxRecords: aws.Int32(100)})
			if err != nil {
				return "", err
			}
			n := len(out.MetricAlarms) + len(out.CompositeAlarms)
			if n == 0 {
				return "", fmt.Errorf("no alarm is named %s*: check alarm_prefix and region", prefix)
			}
			return fmt.Sprintf("%d alarm(s) named %s* (first page)", n, prefix), nil
		}},
		{"DescribeAlarmHistory", func(ctx context.Context, cw *cloudwatch.Client) (string, error) {
			out, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String(prefix), MaxRecords: aws.Int32(1)})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("readable (%d item(s) probed)", len(out.AlarmHistoryItems)), nil
		}},
		{"ListMetrics", func(ctx context.Context, cw *cloudwatch.Client) (string, error) {
			out, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String(gatewayNamespace)})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d metric(s) in %s (first page)", len(out.Metrics), gatewayNamespace), nil
		}},
		{"GetMetricData", func(ctx context.Context, cw *cloudwatch.Client) (string, error) {
			end := time.Now().Truncate(time.Minute)
			_, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(end.Add(-5 * time.Minute)), EndTime: aws.Time(end),
				MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("doctor"), MetricStat: &types.MetricStat{Period: aws.Int32(60), Stat: aws.String("Maximum"),
					Metric: &types.Metric{Namespace: aws.String(gatewayNamespace), MetricName: aws.String("CircuitBreakerState")}}}}})
			if err != nil {
				return "", err
			}
			return "readable (1 metric requested, $0.00001)", nil
		}},
		{"ListAlarmMuteRules", func(ctx context.Context, cw *cloudwatch.Client) (string, error) {
			out, err := cw.ListAlarmMuteRules(ctx, &cloudwatch.ListAlarmMuteRulesInput{})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d mute rule(s)", len(out.AlarmMuteRuleSummaries)), nil
		}},
	}
}

// adminAPI reads the status with the configured key.
func (d *doctor) adminAPI(ctx context.Context, e ops.Environment, operator string) {
	key, err := e.AdminKey()
	if err != nil {
		d.fail("admin api", "%v", err)
		return
	}
	c := gateway.NewClient(e.AdminURL, gateway.ClientOptions{APIKey: key, Operator: operator, MaxRetries: -1, InsecureSkipVerify: e.InsecureSkipVerify})
	actx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	st, err := c.Status(actx)
	var apiErr *gateway.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Status == 401:
		d.fail("admin api", "%s rejected the key in %s (%s)", e.AdminURL, e.AdminKeyEnv, apiErr.Message)
	case err != nil:
		d.fail("admin api", "%s: %v (private subnet? see docs/operations.md: Reaching private endpoints)", e.AdminURL, err)
	case st.Environment != e.Name:
		d.fail("admin api", "%s serves environment %q, not %q: is admin_url the right one?", e.AdminURL, st.Environment, e.Name)
	default:
		d.ok("admin api", "%s: environment %s, protected=%t, its Redis ok=%t", e.AdminURL, st.Environment, st.Protected, st.Redis.OK)
	}
}

// redis PINGs the gateway's Redis when redis_url_env is set.
func (d *doctor) redis(ctx context.Context, e ops.Environment) {
	if e.RedisURLEnv == "" {
		d.skip("redis", "not configured (redis_url_env unset): the Redis view and redis.diagnose are off")
		return
	}
	raw, err := e.RedisURL()
	if err != nil {
		d.fail("redis", "%v", err)
		return
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		d.fail("redis", "%s does not hold a valid redis:// or rediss:// URL", e.RedisURLEnv) // never echo the URL
		return
	}
	opts.MaxRetries = -1
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	rctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	how := fmt.Sprintf("%s %s, TLS %t, AUTH %t", opts.Network, opts.Addr, opts.TLSConfig != nil, opts.Password != "")
	if err := rdb.Ping(rctx).Err(); err != nil {
		d.fail("redis", "%s: %s", how, ops.NewRedactor(raw, opts.Password).String(err.Error()))
		return
	}
	d.ok("redis", "%s: PONG", how)
}
