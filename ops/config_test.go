package ops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodConfig = `
default_environment = "staging"
operator = "alice"

[environments.staging]
region = "us-east-1"
profile = "arrakis-staging"
alarm_prefix = "arrakis-staging-agent-"
catalog = "terraform"
admin_url = "https://gateway-admin.staging.internal:8089"
admin_key_env = "GATEWAY_ADMIN_KEY_STAGING"
redis_url_env = "GATEWAY_REDIS_URL_STAGING"
safety = "standard"

[environments.production]
region = "us-east-1"
admin_url = "https://gateway-admin.prod.internal:8089"
admin_key_env = "GATEWAY_ADMIN_KEY_PROD"
safety = "protected"
insecure_skip_verify = true
`

func TestParseConfigReadsEnvironments(t *testing.T) {
	cfg, err := ParseConfig([]byte(goodConfig))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Names(), ","); got != "demo,production,staging" {
		t.Errorf("names = %s", got)
	}
	e, err := cfg.Select("")
	if err != nil || e.Name != "staging" || e.Catalog != "terraform" || e.Safety != Standard {
		t.Errorf("default env: %+v %v", e, err)
	}
	p, _ := cfg.Select("production")
	if p.Catalog != "default" || p.Safety != Protected {
		t.Errorf("production: %+v", p)
	}
	if w := p.Warnings(); len(w) != 1 || !strings.Contains(w[0], "NOT checked") {
		t.Errorf("no loud warning for insecure_skip_verify: %v", w)
	}
	t.Setenv("GATEWAY_ADMIN_KEY_PROD", "gwk-prod-secret")
	if k, err := p.AdminKey(); err != nil || k != "gwk-prod-secret" {
		t.Errorf("AdminKey = %q, %v", k, err)
	}
	t.Setenv("GATEWAY_ADMIN_KEY_STAGING", "")
	if _, err := e.AdminKey(); err == nil || !strings.Contains(err.Error(), "GATEWAY_ADMIN_KEY_STAGING") {
		t.Errorf("empty key variable: %v", err)
	}
	if _, err := cfg.Select("prod"); err == nil || !strings.Contains(err.Error(), "defined: demo, production, staging") {
		t.Errorf("unknown env: %v", err)
	}
}

func TestConfigErrorsAreClear(t *testing.T) {
	base := "[environments.staging]\nregion = \"us-east-1\"\nadmin_url = \"https://a.internal\"\nsafety = \"standard\"\n"
	cases := []struct{ file, want string }{
		{base + "admin_key = \"gwk-123\"\n", "unknown key environments.staging.admin_key; accepted top-level keys"},
		{"defualt_environment = \"x\"\n", "unknown key defualt_environment"},
		{strings.Replace(base, "standard", "strict", 1), "environments.staging: safety \"strict\": accepted values are protected, standard"},
		{strings.Replace(base, "admin_url = \"https://a.internal\"\n", "", 1), "admin_url is missing"},
		{strings.Replace(base, "https://a.internal", "a.internal", 1), "admin_url \"a.internal\": want an http:// or https:// URL"},
		{strings.Replace(base, "https://a.internal", "https://u:pw@a.internal", 1), "credentials in the URL are not allowed"},
		{base + "admin_key_env = \"gwk-abc def\"\n", "does not hold an environment variable NAME"},
		{strings.Replace(base, "region = \"us-east-1\"\n", "", 1), "region is missing"},
		{"default_environment = \"prod\"\n" + base, "default_environment \"prod\" is not defined; defined: demo, staging"},
		{"[environments.Staging]\nregion=\"x\"\nadmin_url=\"https://a\"\nsafety=\"standard\"\n", "environment name \"Staging\""},
		{"[environments.staging\n", "expected '.' or ']' to end table name"},
	}
	for _, c := range cases {
		_, err := ParseConfig([]byte(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s", c.file, err, c.want)
		}
	}
}

func TestLoadConfigWithoutAFileHasTheDemoEnvironment(t *testing.T) {
	dir := t.TempDir()
	cfg, err := LoadConfig(filepath.Join(dir, "missing.toml"), false)
	if err != nil {
		t.Fatal(err)
	}
	e, err := cfg.Select("")
	if err != nil || e.Name != DemoEnvironment || e.Safety != Standard {
		t.Errorf("demo: %+v %v", e, err)
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.toml"), true); err == nil {
		t.Error("an explicit --config that does not exist was accepted")
	}
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(goodConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = LoadConfig(path, true)
	if err != nil || cfg.Path != path || cfg.Operator != "alice" {
		t.Errorf("load: %+v %v", cfg, err)
	}
	t.Setenv("XDG_CONFIG_HOME", dir)
	if p, _ := DefaultConfigPath(); p != filepath.Join(dir, "gatewayops", "config.toml") {
		t.Errorf("default path = %s", p)
	}
}

func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(goodConfig))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, err := ParseConfig(raw)
		if err != nil {
			return
		}
		for _, n := range cfg.Names() {
			e := cfg.Environments[n]
			if e.Safety != Protected && e.Safety != Standard {
				t.Fatalf("accepted safety %q", e.Safety)
			}
			if n != DemoEnvironment && e.AdminURL == "" {
				t.Fatalf("accepted environment %s without admin_url", n)
			}
		}
	})
}
