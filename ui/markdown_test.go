package ui

import (
	"reflect"
	"strings"
	"testing"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/charmbracelet/x/ansi"

	"gatewayops/runbooks"
)

// TestOpsFencesRenderAsTheyDidUnnamed: naming an ops fence "text" changes
// nothing of how any embedded runbook's ops block renders, in any of the
// three styles the console uses; it only skips chroma's search for a lexer
// called "ops" (decisions.md 165). Glamour hands the fence's name to
// chroma's quick.Highlight, which tries the name, then every lexer's content
// analyser, then its fallback lexer; so the test checks that the lexer an ops
// block reaches that way tokenises it exactly as the "text" lexer does (same
// token types, same values: same colours from the same style), and that the
// rendered text, escapes stripped, is the same.
// Comparing the escapes too is not deterministic: chroma's 256-colour
// formatter picks the nearest palette colour by ranging over a map, so a
// token whose colour ties between two entries comes out as either from one
// render of the same text to the next (CI saw a plain-text token come out
// 251 in one render, and a bash comment 241 or 242).
func TestOpsFencesRenderAsTheyDidUnnamed(t *testing.T) {
	blocks := embeddedOpsBlocks(t)
	renamed := strings.TrimPrefix(strings.SplitN(plainOpsFences("```ops\n"), "\n", 2)[0], "```")
	for _, code := range blocks {
		got := tokens(t, lexerQuickHighlightPicks(renamed, code), code)
		if want := tokens(t, lexerQuickHighlightPicks("ops", code), code); !reflect.DeepEqual(got, want) {
			t.Errorf("the block %q tokenises differently in a %q fence:\n%v\nwant\n%v", code, renamed, got, want)
		}
	}
	for _, style := range []string{styles.DarkStyle, styles.LightStyle, styles.AsciiStyle} {
		r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(78))
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range blocks {
			src := "Step:\n\n```ops\n" + code + "```\n"
			want, err := r.Render(src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Render(plainOpsFences(src))
			if err != nil {
				t.Fatal(err)
			}
			if ansi.Strip(got) != ansi.Strip(want) {
				t.Errorf("%s: the block %q rendered differently with its fence renamed:\n%q\nwant\n%q", style, code, ansi.Strip(got), ansi.Strip(want))
			}
		}
	}
}

// embeddedOpsBlocks is the body of every ```ops fence in the embedded runbooks.
func embeddedOpsBlocks(t *testing.T) []string {
	t.Helper()
	lib, err := runbooks.Default()
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, rb := range lib.All() {
		for _, part := range strings.Split(string(rb.Source), "```ops\n")[1:] {
			blocks = append(blocks, part[:strings.Index(part, "```")])
		}
	}
	if len(blocks) == 0 {
		t.Fatal("no ops fence in the embedded runbooks: the test compares nothing")
	}
	return blocks
}

// lexerQuickHighlightPicks is the lexer chroma's quick.Highlight (what
// Glamour's code block calls) settles on for a fence name and its code.
func lexerQuickHighlightPicks(name, code string) chroma.Lexer {
	if l := lexers.Get(name); l != nil {
		return l
	}
	if l := lexers.Analyse(code); l != nil {
		return l
	}
	return lexers.Fallback
}

func tokens(t *testing.T, l chroma.Lexer, code string) []chroma.Token {
	t.Helper()
	it, err := chroma.Coalesce(l).Tokenise(nil, code)
	if err != nil {
		t.Fatal(err)
	}
	return it.Tokens()
}

func TestPlainOpsFencesRenamesOnlyOpsFenceLines(t *testing.T) {
	src := "text ```ops inline\n```ops\nbreaker.reset component=kms\n```\n  ```ops\n```bash\necho ```ops\n```"
	want := "text ```ops inline\n```text\nbreaker.reset component=kms\n```\n  ```text\n```bash\necho ```ops\n```"
	if got := plainOpsFences(src); got != want {
		t.Errorf("plainOpsFences:\n%s\nwant:\n%s", got, want)
	}
}

// BenchmarkRunbookRender renders one embedded runbook (the p99 latency one,
// four ops blocks and a bash block) in the dark style at 98 columns, as the
// runbook pane of a 200-column console does, without the cache.
func BenchmarkRunbookRender(b *testing.B) {
	lib, err := runbooks.Default()
	if err != nil {
		b.Fatal(err)
	}
	rb, err := lib.Get("agent-latency-p99-high")
	if err != nil {
		b.Fatal(err)
	}
	for _, style := range []struct {
		name          string
		dark, noColor bool
	}{{"dark", true, false}, {"ascii", true, true}} {
		b.Run(style.name, func(b *testing.B) {
			md := newMarkdown(style.dark, style.noColor)
			for b.Loop() {
				if _, err := md.render(md.style, string(rb.Source), 98); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
