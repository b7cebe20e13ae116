package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SaveSnippet writes text as shell-<runbook>-<env>.sh beside the exported
// timelines (0600: it can name hosts of the environment).
func (l *live) SaveSnippet(name, text string) (string, error) {
	dir := l.d.ExportDir
	if dir == "" {
		dir = filepath.Dir(l.d.Runner.Journal.Path())
	}
	clean := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return '-'
	}, strings.ToLower(name))
	path := filepath.Join(dir, "shell-"+clean+"-"+l.d.Runner.Policy.Environment()+".sh")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return "", fmt.Errorf("save shell blocks: %w", err)
	}
	return path, nil
}
