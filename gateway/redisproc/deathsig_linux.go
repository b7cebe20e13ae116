package redisproc

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill redis-server when gatewayops dies, even
// by SIGKILL, so a crashed demo or test never leaves a server behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
