package runbooks

import (
	"strings"
	"testing"
)

// A wrapped sentence whose next line starts with "> " renders as a block
// quote: the comparison it meant ("> 5 for 5 minutes") turns into a quote bar.
func TestNoLineStartsAnAccidentalBlockQuote(t *testing.T) {
	books, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for _, rb := range books {
		for i, line := range strings.Split(string(rb.Source), "\n") {
			if strings.HasPrefix(line, "> ") && len(line) > 2 && (line[2] >= '0' && line[2] <= '9') {
				t.Errorf("%s: source line %d starts a block quote with a number: %q", rb.Name, i+1, line)
			}
		}
	}
}
