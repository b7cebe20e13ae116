package cli

import (
	"io"
	"strings"

	"github.com/charmbracelet/x/vt"
)

// termScreen is what a terminal of the console's size shows after the bytes
// the console wrote so far: its renderer writes only what changed since the
// last frame, so a header that first reads "DRILL" and a frame later "DRILL
// 10x" reaches the pipe as "DRILL" then " 10x" at column 7, and the whole
// text is never in the byte stream (the cause of TestDrillConsoleEndToEnd's
// "never: the DRILL badge" on a loaded machine, where the first frame was
// flushed before the drill's state came in).
type termScreen struct {
	raw *lockedBuffer
	emu *vt.Emulator
	fed int
}

func newTermScreen(raw *lockedBuffer, width, height int) *termScreen {
	emu := vt.NewEmulator(width, height)
	// The emulator answers the console's queries (background colour, modes)
	// into a pipe that must be read; the answers go nowhere here (the test
	// feeds the console's size itself). Never closed: vt's Close races its
	// own reader, and the test binary ends soon after.
	go func() { _, _ = io.Copy(io.Discard, emu) }()
	return &termScreen{raw: raw, emu: emu}
}

// text feeds what the console wrote since the last call and returns the
// screen's text. One goroutine only.
func (s *termScreen) text() string {
	all := s.raw.String()
	// Through a pipe the console is not on a raw terminal, so its renderer
	// counts on the output post-processing (ONLCR) a terminal line does:
	// a newline returns the cursor to the first column too.
	_, _ = s.emu.Write([]byte(strings.ReplaceAll(all[s.fed:], "\n", "\r\n")))
	s.fed = len(all)
	return s.emu.String()
}
