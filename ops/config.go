package ops

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// DemoEnvironment is the built-in environment of `gatewayops demo`; it exists
// without any config file and its endpoints are filled in at run time.
const DemoEnvironment = "demo"

// Environment is one [environments.NAME] table of the config file.
type Environment struct {
	Name        string `toml:"-"`
	Region      string `toml:"region"`
	Profile     string `toml:"profile"`
	AlarmPrefix string `toml:"alarm_prefix"`
	// Catalog is default, terraform or a path to a catalog YAML file.
	Catalog            string `toml:"catalog"`
	CloudWatchEndpoint string `toml:"cloudwatch_endpoint"`
	AdminURL           string `toml:"admin_url"`
	// AdminKeyEnv and RedisURLEnv NAME environment variables holding the
	// secrets; the file never holds a secret itself.
	AdminKeyEnv        string `toml:"admin_key_env"`
	RedisURLEnv        string `toml:"redis_url_env"`
	Safety             string `toml:"safety"`
	InsecureSkipVerify bool   `toml:"insecure_skip_verify"`
	// FlagsBackend is where flags.set and poolclaims.enforce act: "runtime"
	// (the admin API's store, the default) or "ecs" (a new task-definition
	// revision of Cluster/Service with one variable of Container changed;
	// defaults arrakis-{env}-cluster, arrakis-{env}-api, api).
	FlagsBackend string `toml:"flags_backend"`
	Cluster      string `toml:"cluster"`
	Service      string `toml:"service"`
	Container    string `toml:"container"`
}

// Config is the whole config file.
type Config struct {
	// DefaultEnvironment is used when --env is not given.
	DefaultEnvironment string `toml:"default_environment"`
	// Operator is sent as X-Operator and journaled (default: $USER).
	Operator     string                 `toml:"operator"`
	Environments map[string]Environment `toml:"environments"`
	// Path is the file it came from ("" = built-in only).
	Path string `toml:"-"`
}

// DefaultConfigPath is $XDG_CONFIG_HOME/gatewayops/config.toml, falling back
// to ~/.config/gatewayops/config.toml.
func DefaultConfigPath() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("config: no XDG_CONFIG_HOME and no home directory: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "gatewayops", "config.toml"), nil
}

// LoadConfig reads the file at path. A missing file at the default path is
// not an error (only the built-in demo environment exists then); a missing
// file named explicitly is.
func LoadConfig(path string, explicit bool) (Config, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return builtinConfig(), nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := ParseConfig(raw)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	cfg.Path = path
	return cfg, nil
}

func builtinConfig() Config {
	return Config{Environments: map[string]Environment{DemoEnvironment: demoEnvironment()}}
}

func demoEnvironment() Environment {
	return Environment{Name: DemoEnvironment, Region: "us-east-1", Catalog: "default", Safety: Standard,
		AlarmPrefix: "arrakis-demo-agent-"}
}

var envNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// envVarPattern is a conventional environment variable NAME: upper-case
// letters, digits and _, as every shell and ECS task definition writes them.
var envVarPattern = regexp.MustCompile(`^[A-Z_][A-Z0-9_]{0,63}$`)

// validEnvVarName refuses anything else, and a name that looks like a
// random token (16 or more characters, no underscore, letters and digits
// mixed): such a value is more likely the secret itself than a name.
func validEnvVarName(v string) bool {
	if !envVarPattern.MatchString(v) {
		return false
	}
	token := len(v) >= 16 && !strings.Contains(v, "_") && strings.ContainsAny(v, "0123456789")
	return !token
}

// ParseConfig decodes and validates a config file. Unknown keys are errors,
// so a typo cannot silently drop a safety setting.
func ParseConfig(raw []byte) (Config, error) {
	var cfg Config
	md, err := toml.Decode(string(raw), &cfg)
	if err != nil {
		return Config{}, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return Config{}, fmt.Errorf("unknown key %s; accepted top-level keys: default_environment, operator, environments; per environment: %s",
			strings.Join(keys, ", "), strings.Join(environmentKeys(), ", "))
	}
	envs := map[string]Environment{DemoEnvironment: demoEnvironment()}
	names := make([]string, 0, len(cfg.Environments))
	for n := range cfg.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e := cfg.Environments[n]
		e.Name = n
		if err := validateEnvironment(&e); err != nil {
			return Config{}, fmt.Errorf("environments.%s: %w", n, err)
		}
		envs[n] = e
	}
	cfg.Environments = envs
	if cfg.DefaultEnvironment != "" {
		if _, ok := envs[cfg.DefaultEnvironment]; !ok {
			return Config{}, fmt.Errorf("default_environment %q is not defined; defined: %s", cfg.DefaultEnvironment, strings.Join(cfg.Names(), ", "))
		}
	}
	return cfg, nil
}

func environmentKeys() []string {
	return []string{"region", "profile", "alarm_prefix", "catalog", "cloudwatch_endpoint", "admin_url",
		"admin_key_env", "redis_url_env", "safety", "insecure_skip_verify",
		"flags_backend", "cluster", "service", "container"}
}

func validateEnvironment(e *Environment) error {
	switch {
	case !envNamePattern.MatchString(e.Name):
		return fmt.Errorf("environment name %q: want lowercase letters, digits and -, starting with a letter", e.Name)
	case e.Safety != Protected && e.Safety != Standard:
		return fmt.Errorf("safety %q: accepted values are %s", e.Safety, strings.Join(SafetyProfiles(), ", "))
	case e.AdminURL == "":
		return errors.New("admin_url is missing (e.g. https://gateway-admin.internal:8089)")
	case e.Region == "":
		return errors.New("region is missing (e.g. us-east-1)")
	}
	if err := checkURL("admin_url", e.AdminURL); err != nil {
		return err
	}
	if e.CloudWatchEndpoint != "" {
		if err := checkURL("cloudwatch_endpoint", e.CloudWatchEndpoint); err != nil {
			return err
		}
	}
	for field, v := range map[string]string{"admin_key_env": e.AdminKeyEnv, "redis_url_env": e.RedisURLEnv} {
		if v != "" && !validEnvVarName(v) {
			// Never echo the value: it may be the secret (a key, a Redis URL with its password).
			return fmt.Errorf("%s does not hold an environment variable NAME (upper-case letters, digits and _, e.g. GATEWAY_ADMIN_KEY); "+
				"it may be the secret itself, so it is not shown: put the secret in a variable and name the variable here", field)
		}
	}
	if e.Catalog == "" {
		e.Catalog = "default"
	}
	return validateFlagsBackend(e)
}

func checkURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q: want an http:// or https:// URL with a host", field, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s: credentials in the URL are not allowed; use admin_key_env", field)
	}
	return nil
}

// Names lists the environments, sorted.
func (c Config) Names() []string {
	names := make([]string, 0, len(c.Environments))
	for n := range c.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Select picks the environment: name if given, else default_environment,
// else the only non-demo environment, else demo.
func (c Config) Select(name string) (Environment, error) {
	if name == "" {
		name = c.DefaultEnvironment
	}
	if name == "" {
		var real []string
		for _, n := range c.Names() {
			if n != DemoEnvironment {
				real = append(real, n)
			}
		}
		switch len(real) {
		case 0:
			name = DemoEnvironment
		case 1:
			name = real[0]
		default:
			return Environment{}, fmt.Errorf("several environments (%s): pass --env NAME or set default_environment", strings.Join(real, ", "))
		}
	}
	e, ok := c.Environments[name]
	if !ok {
		return Environment{}, fmt.Errorf("environment %q is not defined; defined: %s", name, strings.Join(c.Names(), ", "))
	}
	return e, nil
}

// AdminKey reads the admin API key from the variable admin_key_env names.
func (e Environment) AdminKey() (string, error) {
	if e.AdminKeyEnv == "" {
		return "", nil
	}
	v := os.Getenv(e.AdminKeyEnv)
	if v == "" {
		return "", fmt.Errorf("environment %s: variable %s (admin_key_env) is empty or unset", e.Name, e.AdminKeyEnv)
	}
	return v, nil
}

// RedisURL reads the Redis URL from the variable redis_url_env names ("" = none configured).
func (e Environment) RedisURL() (string, error) {
	if e.RedisURLEnv == "" {
		return "", nil
	}
	v := os.Getenv(e.RedisURLEnv)
	if v == "" {
		return "", fmt.Errorf("environment %s: variable %s (redis_url_env) is empty or unset", e.Name, e.RedisURLEnv)
	}
	return v, nil
}

// Warnings are loud notes about risky settings (insecure_skip_verify).
func (e Environment) Warnings() []string {
	if e.InsecureSkipVerify {
		return []string{fmt.Sprintf("WARNING: environment %s has insecure_skip_verify = true: TLS certificates of %s are NOT checked", e.Name, e.AdminURL)}
	}
	return nil
}
