package terraform_test

import (
	"net"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"gatewayops/deploy/image"
)

const moduleDir = "admin-server"

// testInputs are the required variables, as a root module would pass them.
func testInputs(env string, protected cty.Value) map[string]cty.Value {
	return map[string]cty.Value{
		"environment":             cty.StringVal(env),
		"protected":               protected,
		"image":                   cty.StringVal("123456789012.dkr.ecr.eu-west-1.amazonaws.com/gatewayops@sha256:" + string(make64('a'))),
		"vpc_id":                  cty.StringVal("vpc-0123"),
		"private_subnet_ids":      cty.ListVal([]cty.Value{cty.StringVal("subnet-a"), cty.StringVal("subnet-b")}),
		"redis_security_group_id": cty.StringVal("sg-redis"),
	}
}

func make64(c byte) []byte {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return b
}

// container evaluates the task definition's one container for inputs. The
// argument of jsonencode is evaluated, not the call: a placeholder is a
// known string, so the whole definition is known and can be inspected.
func container(t *testing.T, m *module, ctx *hcl.EvalContext) cty.Value {
	t.Helper()
	td := m.block(t, "resource", "aws_ecs_task_definition", "this")
	call, ok := td.Body.Attributes["container_definitions"].Expr.(*hclsyntax.FunctionCallExpr)
	if !ok || call.Name != "jsonencode" || len(call.Args) != 1 {
		t.Fatal("container_definitions is not jsonencode([...])")
	}
	defs, diags := call.Args[0].Value(ctx)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if defs.LengthInt() != 1 {
		t.Fatalf("%d containers, want the one admin-server container", defs.LengthInt())
	}
	return defs.AsValueSlice()[0]
}

// namedValues maps name -> valueFrom (or value) of an ECS name/value list.
func namedValues(t *testing.T, list cty.Value, valueKey, where string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if !list.IsKnown() || list.IsNull() {
		t.Fatalf("%s: unknown", where)
	}
	for _, e := range list.AsValueSlice() {
		name := str(t, e.GetAttr("name"), where+".name")
		if _, dup := out[name]; dup {
			t.Errorf("%s: %s twice", where, name)
		}
		out[name] = str(t, e.GetAttr(valueKey), where+"."+valueKey)
	}
	return out
}

func port(t *testing.T, listen, where string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(listen)
	if err != nil {
		t.Fatalf("%s: --listen %q: %v", where, listen, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("%s: --listen %q: %v", where, listen, err)
	}
	return n
}

func TestTaskDefinitionRunsAdminServerAsItsSourceSays(t *testing.T) {
	src := readServerContract(t)
	m := loadModule(t, moduleDir)
	for _, tc := range []struct {
		env           string
		protected     cty.Value
		wantProtected bool
	}{
		{"staging", cty.NullVal(cty.Bool), false},
		{"production", cty.NullVal(cty.Bool), true},
		{"staging", cty.True, true},
		{"production", cty.False, false},
	} {
		t.Run(tc.env+"/protected="+tc.protected.GoString(), func(t *testing.T) {
			ctx := m.evalContext(t, testInputs(tc.env, tc.protected))
			c := container(t, m, ctx)
			checkSecrets(t, src, c)
			flags := checkCommand(t, src, c, tc.env, tc.wantProtected)
			checkPortsAndHealth(t, src, c, flags["listen"])
			checkLogs(t, m, ctx, c, tc.env)
		})
	}
}

// secretLike matches names that must never be plain environment.
var secretLike = regexp.MustCompile(`(?i)key|secret|password|token|auth|redis`)

func checkSecrets(t *testing.T, src serverContract, c cty.Value) {
	t.Helper()
	secrets := namedValues(t, c.GetAttr("secrets"), "valueFrom", "secrets")
	names := make([]string, 0, len(secrets))
	for n := range secrets {
		names = append(names, n)
	}
	sort.Strings(names)
	want := slices.Clone(src.env)
	sort.Strings(want)
	want = slices.Compact(want)
	// Everything admin-server reads from its environment is a secret: the
	// admin keys and the Redis URL with its AUTH token.
	if !slices.Equal(names, want) {
		t.Errorf("secrets %q, want exactly what admin-server reads: %q", names, want)
	}
	env := namedValues(t, c.GetAttr("environment"), "value", "environment")
	for name, value := range env {
		if slices.Contains(src.env, name) || secretLike.MatchString(name) {
			t.Errorf("environment %s=%q: a secret as plain env (describe-task-definition prints it)", name, value)
		}
	}
	if got := secrets["GATEWAYOPS_REDIS_URL"]; got != "<data.aws_secretsmanager_secret.redis.arn>:url::" {
		t.Errorf("Redis URL from %q, want the url key of the gateway's own Redis secret", got)
	}
	if got := secrets["GATEWAYOPS_ADMIN_KEYS"]; got != "<aws_secretsmanager_secret.admin_keys.arn>" {
		t.Errorf("admin keys from %q, want the module's admin keys secret", got)
	}
}

func checkCommand(t *testing.T, src serverContract, c cty.Value, env string, wantProtected bool) map[string]string {
	t.Helper()
	cmd := strs(t, c.GetAttr("command"), "command")
	flags := src.parseCommand(t, cmd, "command")
	if flags["environment"] != env {
		t.Errorf("--environment %q, want %q", flags["environment"], env)
	}
	if got := flags["protected"] == "true"; got != wantProtected {
		t.Errorf("--protected %v, want %v in %s", got, wantProtected, env)
	}
	if _, ok := flags["redis"]; ok {
		t.Error("--redis on the command line: the URL holds the AUTH token and must come from the secret")
	}
	if _, ok := flags["probe"]; ok {
		t.Error("--probe in the service's command: it would exit instead of serving")
	}
	if _, ok := flags["listen"]; !ok {
		t.Errorf("no --listen: the default %q is loopback only, unreachable from other tasks", src.listen)
	}
	return flags
}

func checkPortsAndHealth(t *testing.T, src serverContract, c cty.Value, listen string) {
	t.Helper()
	p := port(t, listen, "command")
	pm := c.GetAttr("portMappings").AsValueSlice()
	if len(pm) != 1 {
		t.Fatalf("%d port mappings, want 1", len(pm))
	}
	if cp, _ := pm[0].GetAttr("containerPort").AsBigFloat().Int64(); int(cp) != p {
		t.Errorf("containerPort %d, but the server listens on %d", cp, p)
	}
	hc := strs(t, c.GetAttr("healthCheck").GetAttr("command"), "healthCheck.command")
	// The image's entrypoint is the binary; a health check runs its own argv.
	if len(hc) < 3 || hc[0] != "CMD" || hc[1] != image.BinaryPath || hc[2] != "admin-server" {
		t.Fatalf("health check %q: want CMD %s admin-server --probe ...", hc, image.BinaryPath)
	}
	probe := src.parseCommand(t, hc[3:], "healthCheck.command")
	if probe["probe"] != "true" {
		t.Errorf("health check %q does not run --probe", hc)
	}
	if hp := port(t, probe["listen"], "healthCheck"); hp != p {
		t.Errorf("the health check probes port %d, the server listens on %d", hp, p)
	}
}

func checkLogs(t *testing.T, m *module, ctx *hcl.EvalContext, c cty.Value, env string) {
	t.Helper()
	lg := m.block(t, "resource", "aws_cloudwatch_log_group", "this")
	if got := str(t, eval(t, ctx, lg, "name"), "log group"); got != "/ecs/arrakis-"+env+"/gateway-admin" {
		t.Errorf("log group %q", got)
	}
	opts := c.GetAttr("logConfiguration").GetAttr("options")
	if got := str(t, opts.GetAttr("awslogs-group"), "awslogs-group"); got != "<aws_cloudwatch_log_group.this.name>" {
		t.Errorf("the container logs to %q, not the module's log group", got)
	}
}

// The names the module derives from the environment are the gateway's own.
func TestNamesFollowTheGateway(t *testing.T) {
	m := loadModule(t, moduleDir)
	for _, env := range []string{"staging", "production"} {
		ctx := m.evalContext(t, testInputs(env, cty.NullVal(cty.Bool)))
		for _, want := range []struct{ typ, kind, label, attr, value string }{
			{"data", "aws_ecs_cluster", "this", "cluster_name", "arrakis-" + env + "-cluster"},
			{"data", "aws_secretsmanager_secret", "redis", "name", "arrakis-" + env + "/redis"},
			{"data", "aws_service_discovery_dns_namespace", "this", "name", "arrakis-" + env + ".local"},
			{"resource", "aws_service_discovery_service", "this", "name", "gateway-admin"},
			{"resource", "aws_ecs_service", "this", "name", "arrakis-" + env + "-gateway-admin"},
			{"resource", "aws_ecs_task_definition", "this", "family", "arrakis-" + env + "-gateway-admin"},
		} {
			b := m.block(t, want.typ, want.kind, want.label)
			if got := str(t, eval(t, ctx, b, want.attr), want.kind); got != want.value {
				t.Errorf("%s: %s %s.%s = %q, want %q", env, want.typ, want.kind, want.attr, got, want.value)
			}
		}
		svc := m.block(t, "resource", "aws_ecs_service", "this")
		if got := str(t, eval(t, ctx, svc, "cluster"), "cluster"); got != "<data.aws_ecs_cluster.this.arn>" {
			t.Errorf("service runs in %q", got)
		}
	}
}

// ElastiCache's group admits the admin task's group on Redis's port, and
// nothing else is opened on it.
func TestRedisAdmitsTheAdminGroup(t *testing.T) {
	m := loadModule(t, moduleDir)
	ctx := m.evalContext(t, testInputs("staging", cty.NullVal(cty.Bool)))
	var onRedis []string
	for _, b := range m.blocksOf("resource") {
		if b.Labels[0] != "aws_vpc_security_group_ingress_rule" && b.Labels[0] != "aws_security_group_rule" {
			continue
		}
		if _, hasForEach := b.Body.Attributes["for_each"]; hasForEach {
			continue // rules over each.value are on the admin group (checked below)
		}
		if str(t, eval(t, ctx, b, "security_group_id"), "security_group_id") != "sg-redis" {
			continue
		}
		onRedis = append(onRedis, b.Labels[1])
		from, _ := eval(t, ctx, b, "from_port").AsBigFloat().Int64()
		to, _ := eval(t, ctx, b, "to_port").AsBigFloat().Int64()
		ref := str(t, eval(t, ctx, b, "referenced_security_group_id"), "referenced_security_group_id")
		if from != 6379 || to != 6379 || ref != "<aws_security_group.this.id>" {
			t.Errorf("rule %s on Redis's group: ports %d-%d from %s, want 6379 from the admin group", b.Labels[1], from, to, ref)
		}
	}
	if len(onRedis) != 1 {
		t.Errorf("rules on Redis's group: %q, want exactly one", onRedis)
	}
	for _, b := range m.blocksOf("resource") {
		if _, ok := b.Body.Attributes["for_each"]; ok && b.Labels[0] == "aws_vpc_security_group_ingress_rule" {
			if got := str(t, eval(t, ctx, b, "security_group_id"), "security_group_id"); got != "<aws_security_group.this.id>" {
				t.Errorf("for_each ingress rule %s is on %q, want the admin group", b.Labels[1], got)
			}
		}
	}
}
