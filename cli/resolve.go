package cli

import (
	"flag"
	"fmt"
	"os"

	"gatewayops/ops"
)

// envFlags select the config file and environment. Every subcommand that
// reads a config resolves it through envFlags.resolve, so the console, run,
// alarms, preflight, journal and doctor agree on which file and which
// environment they use.
type envFlags struct {
	config string
	env    string
}

func (f *envFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "config file (default $XDG_CONFIG_HOME/gatewayops/config.toml, else ~/.config/gatewayops/config.toml)")
	fs.StringVar(&f.env, "env", "", "environment from the config file (default: $GATEWAYOPS_ENV, else default_environment)")
}

// target is the answer to "which config file, which environment".
type target struct {
	// Path is the config file read, or the default path looked at when no
	// file exists there (so messages can say where to add one).
	Path string
	// Found is false when no file exists at the default path.
	Found  bool
	Config ops.Config
	Env    ops.Environment
}

// load reads the config file: --config, else the default path. A missing
// file at the default path leaves only the built-in demo environment; a
// missing file named by --config is an error. Every error names the path.
func (f envFlags) load() (target, error) {
	path, explicit := f.config, f.config != ""
	if !explicit {
		p, err := ops.DefaultConfigPath()
		if err != nil {
			return target{}, usageErr(err)
		}
		path = p
	}
	cfg, err := ops.LoadConfig(path, explicit)
	if err != nil {
		return target{}, usageErr(err)
	}
	_, statErr := os.Stat(path)
	return target{Path: path, Found: statErr == nil, Config: cfg}, nil
}

// envName is --env, else $GATEWAYOPS_ENV ("" lets the config choose).
func (f envFlags) envName() string {
	if f.env != "" {
		return f.env
	}
	return os.Getenv("GATEWAYOPS_ENV")
}

// resolve loads the config and selects the environment.
func (f envFlags) resolve() (target, error) {
	t, err := f.load()
	if err != nil {
		return t, err
	}
	return t, t.selectEnv(f.envName())
}

// selectEnv picks the environment; its error names the config file.
func (t *target) selectEnv(name string) error {
	e, err := t.Config.Select(name)
	if err != nil {
		return usageErr(fmt.Errorf("%w (%s)", err, t.where()))
	}
	t.Env = e
	return nil
}

// where says which file the config came from, or that none exists.
func (t target) where() string {
	if t.Found {
		return "config " + t.Path
	}
	return "no config file at " + t.Path
}

// configured refuses the built-in demo environment where a real one is
// needed, saying where to add one.
func (t target) configured() error {
	if t.Env.Name != ops.DemoEnvironment {
		return nil
	}
	return usagef("no environment configured (%s); run 'gatewayops demo' for the embedded stack, or add one to %s", t.where(), t.Path)
}
