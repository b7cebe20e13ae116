package terraform_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// adminServerSource is the subcommand whose command line the module writes.
// Reading its source, rather than a copy of its flag names here, makes a
// renamed flag or variable fail this test until the module follows.
const adminServerSource = "../../cli/adminserver.go"

// gatewaySources are the files whose constants adminserver.go may name as
// gateway.X (the health path is defined beside the API's other paths).
const gatewaySources = "../../gateway/*.go"

// serverContract is what admin-server's source says about how it is run.
type serverContract struct {
	env        []string        // names passed to os.Getenv
	flags      map[string]bool // flag name -> takes a value (false for bool flags)
	listen     string          // --listen's default
	healthPath string          // what --probe requests
}

func readServerContract(t *testing.T) serverContract {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, adminServerSource, nil, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", adminServerSource, err)
	}
	consts := stringConsts(f, "")
	for k, v := range gatewayConsts(t) {
		consts[k] = v
	}
	// Constants defined as another constant (healthPath = gateway.HealthzPath).
	for name, e := range derivedConsts(f) {
		consts[name] = resolve(t, consts, e)
	}
	c := serverContract{flags: map[string]bool{}, healthPath: consts["healthPath"]}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "os" && sel.Sel.Name == "Getenv" && len(call.Args) == 1 {
			c.env = append(c.env, resolve(t, consts, call.Args[0]))
			return true
		}
		if kind, ok := flagKinds()[sel.Sel.Name]; ok && len(call.Args) == 4 {
			name := resolve(t, consts, call.Args[1])
			c.flags[name] = kind
			if name == "listen" {
				c.listen = resolve(t, consts, call.Args[2])
			}
		}
		return true
	})
	if len(c.env) == 0 || len(c.flags) == 0 || c.listen == "" || c.healthPath == "" {
		t.Fatalf("%s: found env %q, flags %v, listen %q, healthPath %q: the parser no longer understands the file",
			adminServerSource, c.env, c.flags, c.listen, c.healthPath)
	}
	return c
}

// flagKinds maps the flag package's definers to "takes a value".
func flagKinds() map[string]bool {
	return map[string]bool{"StringVar": true, "IntVar": true, "Int64Var": true, "DurationVar": true, "Float64Var": true, "UintVar": true, "BoolVar": false}
}

// gatewayConsts are package gateway's string constants, as "gateway.Name".
func gatewayConsts(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(gatewaySources)
	if err != nil || len(paths) == 0 {
		t.Fatalf("no %s (%v)", gatewaySources, err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		for k, v := range stringConsts(f, "gateway.") {
			out[k] = v
		}
	}
	return out
}

// stringConsts are a file's string constants, keyed prefix+name.
func stringConsts(f *ast.File, prefix string) map[string]string {
	out := map[string]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[prefix+name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
	}
	return out
}

// derivedConsts are the file's constants whose value names another constant.
func derivedConsts(f *ast.File) map[string]ast.Expr {
	out := map[string]ast.Expr{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					switch vs.Values[i].(type) {
					case *ast.Ident, *ast.SelectorExpr:
						out[name.Name] = vs.Values[i]
					}
				}
			}
		}
	}
	return out
}

// resolve turns a string literal or a string constant into its value.
func resolve(t *testing.T, consts map[string]string, e ast.Expr) string {
	t.Helper()
	switch e := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		if err != nil {
			t.Fatalf("%s: %v", adminServerSource, err)
		}
		return s
	case *ast.Ident:
		if v, ok := consts[e.Name]; ok {
			return v
		}
	case *ast.SelectorExpr:
		if pkg, ok := e.X.(*ast.Ident); ok {
			if v, ok := consts[pkg.Name+"."+e.Sel.Name]; ok {
				return v
			}
		}
	}
	// A value computed at run time cannot be checked against the module.
	t.Fatalf("%s: %T is neither a string literal nor a string constant of the file", adminServerSource, e)
	return ""
}

// parseCommand checks args against the server's flags the way the flag
// package would, and returns flag -> value ("true" for bool flags).
func (c serverContract) parseCommand(t *testing.T, args []string, where string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		if !strings.HasPrefix(a, "-") || name == "" {
			t.Fatalf("%s: %q at %d is not a flag (admin-server takes no arguments)", where, a, i)
		}
		if n, v, ok := strings.Cut(name, "="); ok {
			name, out[n] = n, v
		}
		takesValue, known := c.flags[name]
		switch {
		case !known:
			t.Fatalf("%s: admin-server has no flag --%s (it has %v)", where, name, c.flags)
		case strings.Contains(a, "="):
		case takesValue:
			if i+1 >= len(args) {
				t.Fatalf("%s: --%s needs a value", where, name)
			}
			out[name] = args[i+1]
			i++
		default:
			out[name] = "true"
		}
	}
	return out
}
