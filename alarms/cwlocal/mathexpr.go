package cwlocal

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// expr is a parsed metric-math expression, evaluated one timestamp at a time:
// lookup gives each query id's value at that timestamp (ok=false when the
// series has no datapoint there). A missing operand makes the result missing,
// except inside FILL and in the branch IF does not take.
type expr interface {
	eval(e *env) (float64, bool)
}

// env is what an expression reads at one timestamp: a query id's value, and
// the member series of each array (METRICS(), [ids], SEARCH) by index.
type env struct {
	lookup  func(id string) (float64, bool)
	members [][]string
}

type (
	numExpr float64
	idExpr  string
	negExpr struct{ x expr }
	binExpr struct {
		op   string
		l, r expr
	}
	ifExpr   struct{ cond, then, els expr }
	fillExpr struct {
		x    expr
		fill float64
	}
)

func (n numExpr) eval(*env) (float64, bool)  { return float64(n), true }
func (i idExpr) eval(l *env) (float64, bool) { return l.lookup(string(i)) }
func (n negExpr) eval(l *env) (float64, bool) {
	v, ok := n.x.eval(l)
	return -v, ok
}

func (f fillExpr) eval(l *env) (float64, bool) {
	if v, ok := f.x.eval(l); ok {
		return v, true
	}
	return f.fill, true
}

func (i ifExpr) eval(l *env) (float64, bool) {
	c, ok := i.cond.eval(l)
	if !ok {
		return 0, false
	}
	if c != 0 {
		return i.then.eval(l)
	}
	if i.els == nil { // IF(cond, a) has no datapoint where cond is false
		return 0, false
	}
	return i.els.eval(l)
}

func (b binExpr) eval(l *env) (float64, bool) {
	x, ok1 := b.l.eval(l)
	y, ok2 := b.r.eval(l)
	if !ok1 || !ok2 {
		return 0, false
	}
	var v float64
	switch b.op {
	case "+":
		v = x + y
	case "-":
		v = x - y
	case "*":
		v = x * y
	case "/":
		v = x / y
	case ">":
		v = boolf(x > y)
	case "<":
		v = boolf(x < y)
	case ">=":
		v = boolf(x >= y)
	case "<=":
		v = boolf(x <= y)
	case "==":
		v = boolf(x == y)
	case "!=":
		v = boolf(x != y)
	case "AND":
		v = boolf(x != 0 && y != 0)
	case "OR":
		v = boolf(x != 0 || y != 0)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) { // division by zero has no datapoint
		return 0, false
	}
	return v, true
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// parsedExpr is an expression, the query ids it reads and its arrays.
type parsedExpr struct {
	root   expr
	ids    []string
	arrays []arraySrc
}

// parseExpr parses the supported subset of CloudWatch metric math: numbers,
// query ids, + - * /, comparisons (> < >= <= == !=), AND/OR (&& ||),
// parentheses, IF(cond, a[, b]) and FILL(x, number).
func parseExpr(src string) (parsedExpr, error) {
	toks, err := tokenize(src)
	if err != nil {
		return parsedExpr{}, err
	}
	p := &exprParser{toks: toks, seen: map[string]bool{}}
	root, err := p.or()
	if err != nil {
		return parsedExpr{}, err
	}
	if p.pos < len(p.toks) {
		return parsedExpr{}, fmt.Errorf("unexpected %q at the end of expression %q", p.toks[p.pos], src)
	}
	if _, ok := root.(arrayExpr); ok {
		return parsedExpr{}, fmt.Errorf("expression %q returns several series; wrap it in SUM, AVG, MIN or MAX (cwlocal answers one series per expression)", src)
	}
	if len(p.ids) == 0 && len(p.arrays) == 0 {
		return parsedExpr{}, fmt.Errorf("expression %q references no metric query id", src)
	}
	return parsedExpr{root: root, ids: p.ids, arrays: p.arrays}, nil
}

func tokenize(src string) ([]string, error) {
	var toks []string
	r := []rune(src)
	for i := 0; i < len(r); {
		c := r[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case unicode.IsDigit(c) || c == '.':
			j := i
			for j < len(r) && (unicode.IsDigit(r[j]) || r[j] == '.') {
				j++
			}
			toks = append(toks, string(r[i:j]))
			i = j
		case unicode.IsLetter(c) || c == '_':
			j := i
			for j < len(r) && (unicode.IsLetter(r[j]) || unicode.IsDigit(r[j]) || r[j] == '_') {
				j++
			}
			toks = append(toks, string(r[i:j]))
			i = j
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(r) && r[j] != c {
				j++
			}
			if j == len(r) {
				return nil, fmt.Errorf("unterminated string in expression %q", src)
			}
			toks = append(toks, "'"+string(r[i+1:j]))
			i = j + 1
		case strings.ContainsRune("+-*/(),[]", c):
			toks = append(toks, string(c))
			i++
		case strings.ContainsRune("<>=!&|", c):
			j := i + 1
			if j < len(r) && strings.ContainsRune("=&|", r[j]) {
				j++
			}
			op := string(r[i:j])
			if op == "=" || op == "!" || op == "&" || op == "|" {
				return nil, fmt.Errorf("unknown operator %q in expression %q", op, src)
			}
			toks = append(toks, op)
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q in expression %q", c, src)
		}
	}
	return toks, nil
}

type exprParser struct {
	toks   []string
	pos    int
	ids    []string
	seen   map[string]bool
	deep   int
	arrays []arraySrc
}

func (p *exprParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *exprParser) accept(ops ...string) (string, bool) {
	t := p.peek()
	for _, o := range ops {
		if strings.EqualFold(t, o) && t != "" {
			p.pos++
			return o, true
		}
	}
	return "", false
}

func (p *exprParser) binary(next func() (expr, error), norm map[string]string) (expr, error) {
	l, err := next()
	if err != nil {
		return nil, err
	}
	ops := make([]string, 0, len(norm))
	for k := range norm {
		ops = append(ops, k)
	}
	for {
		op, ok := p.accept(ops...)
		if !ok {
			return l, nil
		}
		r, err := next()
		if err != nil {
			return nil, err
		}
		l = binExpr{op: norm[op], l: l, r: r}
	}
}

func (p *exprParser) or() (expr, error) {
	return p.binary(p.and, map[string]string{"OR": "OR", "||": "OR"})
}
func (p *exprParser) and() (expr, error) {
	return p.binary(p.cmp, map[string]string{"AND": "AND", "&&": "AND"})
}
func (p *exprParser) cmp() (expr, error) {
	return p.binary(p.add, map[string]string{">": ">", "<": "<", ">=": ">=", "<=": "<=", "==": "==", "!=": "!="})
}
func (p *exprParser) add() (expr, error) {
	return p.binary(p.mul, map[string]string{"+": "+", "-": "-"})
}
func (p *exprParser) mul() (expr, error) {
	return p.binary(p.unary, map[string]string{"*": "*", "/": "/"})
}

func (p *exprParser) unary() (expr, error) {
	if _, ok := p.accept("-"); ok {
		x, err := p.unary()
		return negExpr{x}, err
	}
	return p.primary()
}

func (p *exprParser) primary() (expr, error) {
	p.deep++
	defer func() { p.deep-- }()
	if p.deep > 100 {
		return nil, fmt.Errorf("expression nested too deeply")
	}
	t := p.peek()
	switch {
	case t == "":
		return nil, fmt.Errorf("expression ends early")
	case t == "[":
		p.pos++
		return p.list()
	case t[0] == '\'':
		return nil, fmt.Errorf("a string %q can only be an argument of METRICS or SEARCH", t[1:])
	case t == "(":
		p.pos++
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if _, ok := p.accept(")"); !ok {
			return nil, fmt.Errorf("missing ')'")
		}
		return x, nil
	case unicode.IsDigit(rune(t[0])) || t[0] == '.':
		p.pos++
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", t)
		}
		return numExpr(v), nil
	case unicode.IsLetter(rune(t[0])) || t[0] == '_':
		p.pos++
		if _, ok := p.accept("("); ok {
			return p.call(t)
		}
		if !p.seen[t] {
			p.seen[t] = true
			p.ids = append(p.ids, t)
		}
		return idExpr(t), nil
	}
	return nil, fmt.Errorf("unexpected %q", t)
}

func (p *exprParser) call(name string) (expr, error) {
	switch strings.ToUpper(name) {
	case "METRICS":
		return p.metricsCall()
	case "SEARCH":
		return p.searchCall()
	}
	var args []expr
	if _, ok := p.accept(")"); !ok {
		for {
			a, err := p.or()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if _, ok := p.accept(","); ok {
				continue
			}
			if _, ok := p.accept(")"); !ok {
				return nil, fmt.Errorf("missing ')' after the arguments of %s", name)
			}
			break
		}
	}
	switch strings.ToUpper(name) {
	case "IF":
		if len(args) == 2 {
			return ifExpr{cond: args[0], then: args[1]}, nil
		}
		if len(args) == 3 {
			return ifExpr{cond: args[0], then: args[1], els: args[2]}, nil
		}
		return nil, fmt.Errorf("IF takes 2 or 3 arguments, got %d", len(args))
	case "FILL":
		n, ok := args2num(args)
		if !ok {
			return nil, fmt.Errorf("FILL takes a metric and a number, e.g. FILL(m1, 0)")
		}
		return fillExpr{x: args[0], fill: n}, nil
	case "SUM", "AVG", "MIN", "MAX":
		if len(args) != 1 {
			return nil, fmt.Errorf("%s takes one array, e.g. %s(METRICS()) or %s([m1, m2])", name, name, name)
		}
		arr, ok := args[0].(arrayExpr)
		if !ok {
			return nil, fmt.Errorf("%s takes an array (METRICS(), [m1, m2] or SEARCH(...)); over one series it is not served", name)
		}
		return aggExpr{fn: strings.ToUpper(name), arr: int(arr)}, nil
	}
	return nil, fmt.Errorf("unsupported function %s (supported: IF, FILL, SUM, AVG, MIN, MAX, METRICS, SEARCH)", name)
}

func args2num(args []expr) (float64, bool) {
	if len(args) != 2 {
		return 0, false
	}
	n, ok := args[1].(numExpr)
	return float64(n), ok
}
