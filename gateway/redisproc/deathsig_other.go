//go:build !linux

package redisproc

import "os/exec"

// dieWithParent has no portable equivalent off Linux; Stop and Kill still work.
func dieWithParent(*exec.Cmd) {}
