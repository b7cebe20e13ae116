package ui

import (
	"strings"
	"testing"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"

	"gatewayops/runbooks"
)

// TestOpsFencesRenderAsTheyDidUnnamed: naming an ops fence "text" changes
// no byte of how any embedded runbook's ops block renders, in any of the
// three styles the console uses; it only skips chroma's search for a lexer
// called "ops" (decisions.md 165). Block by block: chroma's 256-colour
// matching is not deterministic for some tokens (a bash comment comes out
// as colour 241 or 242 from one render of the same text to the next), and
// the ops blocks' plain text has no such token.
func TestOpsFencesRenderAsTheyDidUnnamed(t *testing.T) {
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
			if got != want {
				t.Errorf("%s: the block %q rendered differently with its fence renamed:\n%q\nwant\n%q", style, code, got, want)
			}
		}
	}
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
