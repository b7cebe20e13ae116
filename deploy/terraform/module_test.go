// Package terraform_test checks the Terraform modules under deploy/terraform
// with the HCL library Terraform itself is built on: every file parses,
// every reference resolves, and the admin-server module's task definition,
// evaluated for each environment, runs the server the way its source says
// it must be run.
package terraform_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// module is one parsed Terraform module directory.
type module struct {
	dir    string
	files  map[string]*hclsyntax.Body
	blocks []*hclsyntax.Block // every top-level block of every file
}

func loadModule(t *testing.T, dir string) *module {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no .tf files in %s (%v)", dir, err)
	}
	sort.Strings(paths)
	p := hclparse.NewParser()
	m := &module{dir: dir, files: map[string]*hclsyntax.Body{}}
	for _, path := range paths {
		f, diags := p.ParseHCLFile(path)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", path, diags.Error())
		}
		body := f.Body.(*hclsyntax.Body)
		m.files[filepath.Base(path)] = body
		m.blocks = append(m.blocks, body.Blocks...)
	}
	return m
}

// blocksOf returns the top-level blocks of a type, e.g. "variable".
func (m *module) blocksOf(typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range m.blocks {
		if b.Type == typ {
			out = append(out, b)
		}
	}
	return out
}

// block returns the one top-level block with these labels.
func (m *module) block(t *testing.T, typ string, labels ...string) *hclsyntax.Block {
	t.Helper()
	for _, b := range m.blocksOf(typ) {
		if strings.Join(b.Labels, ".") == strings.Join(labels, ".") {
			return b
		}
	}
	t.Fatalf("%s: no %s %q", m.dir, typ, labels)
	return nil
}

// traversals lists every reference in the module, as "var.x.y" strings
// rooted at their first name.
func (m *module) traversals() []hcl.Traversal {
	var out []hcl.Traversal
	for _, body := range m.files {
		_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
			if e, ok := n.(hclsyntax.Expression); ok {
				if st, ok := e.(*hclsyntax.ScopeTraversalExpr); ok {
					out = append(out, st.Traversal)
				}
			}
			return nil
		})
	}
	return out
}

// attrName is the name the first attribute step of a traversal selects
// (var.environment -> environment), "" if there is none.
func attrName(tr hcl.Traversal, i int) string {
	if len(tr) <= i {
		return ""
	}
	if a, ok := tr[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// functions are the Terraform built-ins the module uses, from go-cty's
// standard library (Terraform's own implementations of the same names).
func functions() map[string]function.Function {
	return map[string]function.Function{
		"concat":     stdlib.ConcatFunc,
		"merge":      stdlib.MergeFunc,
		"contains":   stdlib.ContainsFunc,
		"length":     stdlib.LengthFunc,
		"jsonencode": stdlib.JSONEncodeFunc,
		"regex":      stdlib.RegexFunc,
		"tostring":   stdlib.MakeToFunc(cty.String),
		"toset":      stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
	}
}

// evalContext binds var.* to inputs (or the declared defaults), every
// resource and data attribute to a placeholder string naming it
// ("<data.aws_secretsmanager_secret.redis.arn>"), and local.* to the
// locals evaluated in that context.
func (m *module) evalContext(t *testing.T, inputs map[string]cty.Value) *hcl.EvalContext {
	t.Helper()
	vars := map[string]cty.Value{}
	for _, b := range m.blocksOf("variable") {
		name := b.Labels[0]
		if v, ok := inputs[name]; ok {
			vars[name] = v
			continue
		}
		def, ok := b.Body.Attributes["default"]
		if !ok {
			t.Fatalf("variable %q has no default and the test gives no value", name)
		}
		v, diags := def.Expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("variable %q default: %s", name, diags.Error())
		}
		vars[name] = v
	}
	for name := range inputs {
		if _, ok := vars[name]; !ok {
			t.Fatalf("the test sets var.%s, which the module does not declare", name)
		}
	}
	ctx := &hcl.EvalContext{Variables: m.placeholders(), Functions: functions()}
	ctx.Variables["var"] = cty.ObjectVal(vars)
	ctx.Variables["local"] = m.locals(t, ctx)
	return ctx
}

// placeholders builds, for every resource and data reference the module
// makes, nested objects whose leaves are strings naming the reference.
func (m *module) placeholders() map[string]cty.Value {
	tree := map[string]any{}
	for _, tr := range m.traversals() {
		root := tr.RootName()
		if root == "var" || root == "local" || root == "each" || root == "count" || root == "path" || root == "terraform" {
			continue
		}
		var names []string
		names = append(names, root)
		for i := 1; attrName(tr, i) != ""; i++ {
			names = append(names, attrName(tr, i))
		}
		node := tree
		for i, n := range names {
			if i == len(names)-1 {
				if _, isMap := node[n].(map[string]any); !isMap {
					node[n] = "<" + strings.Join(names, ".") + ">"
				}
				break
			}
			child, ok := node[n].(map[string]any)
			if !ok {
				child = map[string]any{}
				node[n] = child
			}
			node = child
		}
	}
	out := map[string]cty.Value{}
	for k, v := range tree {
		out[k] = toCty(v)
	}
	return out
}

func toCty(v any) cty.Value {
	if s, ok := v.(string); ok {
		return cty.StringVal(s)
	}
	attrs := map[string]cty.Value{}
	for k, c := range v.(map[string]any) {
		attrs[k] = toCty(c)
	}
	return cty.ObjectVal(attrs)
}

// locals evaluates every locals attribute, in as many passes as their
// references to each other need.
func (m *module) locals(t *testing.T, ctx *hcl.EvalContext) cty.Value {
	t.Helper()
	exprs := map[string]hclsyntax.Expression{}
	for _, b := range m.blocksOf("locals") {
		for name, a := range b.Body.Attributes {
			exprs[name] = a.Expr
		}
	}
	done := map[string]cty.Value{}
	for pass := 0; len(done) < len(exprs); pass++ {
		if pass > len(exprs) {
			t.Fatalf("locals do not resolve: %v", pending(exprs, done))
		}
		ctx.Variables["local"] = cty.ObjectVal(done)
		for name, e := range exprs {
			if _, ok := done[name]; ok {
				continue
			}
			if v, diags := e.Value(ctx); !diags.HasErrors() {
				done[name] = v
			}
		}
	}
	return cty.ObjectVal(done)
}

func pending(exprs map[string]hclsyntax.Expression, done map[string]cty.Value) []string {
	var out []string
	for n := range exprs {
		if _, ok := done[n]; !ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// eval evaluates one attribute of a block.
func eval(t *testing.T, ctx *hcl.EvalContext, b *hclsyntax.Block, attr string) cty.Value {
	t.Helper()
	a, ok := b.Body.Attributes[attr]
	if !ok {
		t.Fatalf("%s %q has no attribute %s", b.Type, b.Labels, attr)
	}
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		t.Fatalf("%s %q %s: %s", b.Type, b.Labels, attr, diags.Error())
	}
	return v
}

// str is a known string value, or the test fails naming where.
func str(t *testing.T, v cty.Value, where string) string {
	t.Helper()
	if v.IsNull() || !v.IsKnown() || !v.Type().Equals(cty.String) {
		t.Fatalf("%s: want a known string, got %#v", where, v)
	}
	return v.AsString()
}

// strs is a known list or tuple of strings.
func strs(t *testing.T, v cty.Value, where string) []string {
	t.Helper()
	if v.IsNull() || !v.IsKnown() || !(v.Type().IsListType() || v.Type().IsTupleType()) {
		t.Fatalf("%s: want a list of strings, got %#v", where, v)
	}
	var out []string
	for i, e := range v.AsValueSlice() {
		out = append(out, str(t, e, fmt.Sprintf("%s[%d]", where, i)))
	}
	return out
}

func TestEveryModuleParsesAndDeclaresWhatItUses(t *testing.T) {
	dirs, err := filepath.Glob("*/versions.tf")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no modules found (%v)", err)
	}
	for _, d := range dirs {
		dir := filepath.Dir(d)
		t.Run(dir, func(t *testing.T) { checkReferences(t, loadModule(t, dir)) })
	}
}

func checkReferences(t *testing.T, m *module) {
	declared := map[string]map[string]bool{"var": {}, "local": {}}
	for _, b := range m.blocksOf("variable") {
		declared["var"][b.Labels[0]] = true
		requireDescription(t, b)
	}
	for _, b := range m.blocksOf("output") {
		requireDescription(t, b)
	}
	for _, b := range m.blocksOf("locals") {
		for name := range b.Body.Attributes {
			declared["local"][name] = true
		}
	}
	used := map[string]map[string]bool{"var": {}, "local": {}}
	for _, tr := range m.traversals() {
		root, name := tr.RootName(), attrName(tr, 1)
		if declared[root] == nil {
			continue
		}
		used[root][name] = true
		if !declared[root][name] {
			r := tr.SourceRange()
			t.Errorf("%s:%d: %s.%s is used but not declared", r.Filename, r.Start.Line, root, name)
		}
	}
	for kind, names := range declared {
		for name := range names {
			if !used[kind][name] {
				t.Errorf("%s.%s is declared but never used", kind, name)
			}
		}
	}
}

func requireDescription(t *testing.T, b *hclsyntax.Block) {
	t.Helper()
	a, ok := b.Body.Attributes["description"]
	if !ok {
		t.Errorf("%s %q has no description", b.Type, b.Labels[0])
		return
	}
	if v, diags := a.Expr.Value(nil); diags.HasErrors() || v.Type() != cty.String || len(strings.TrimSpace(v.AsString())) < 10 {
		t.Errorf("%s %q: the description says nothing", b.Type, b.Labels[0])
	}
}

func TestModuleFilesAreFormatted(t *testing.T) {
	// hclwrite's formatter is what `terraform fmt` runs; an unformatted file
	// would show up as a diff on the first `terraform fmt` anyone runs.
	m := loadModule(t, "admin-server")
	for name := range m.files {
		src, err := os.ReadFile(filepath.Join(m.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := hclwrite.Format(src); string(got) != string(src) {
			t.Errorf("%s is not formatted (terraform fmt)", name)
		}
	}
}
