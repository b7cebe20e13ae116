package image_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"gatewayops/deploy/image"
	"gatewayops/gateway/redisproc"
)

// TestPodmanRunsTheAdminServer loads the real image into podman and starts
// the admin server from it against a redis-server on the host, as ECS will
// start it: non-root, the keys and the Redis URL from the environment, the
// health check being the binary's own --probe. It needs podman and runc
// (Debian's packages, which `make test` installs): without them it fails.
func TestPodmanRunsTheAdminServer(t *testing.T) {
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Fatal("podman is not installed: apt-get install -y podman runc (make test installs it as root)")
	}
	if testing.Short() {
		t.Skip("-short: builds gatewayops and runs a container")
	}
	ref := loadImage(t, podman)
	rs, _ := redisproc.ForTest(t, "--unixsocketperm", "777")
	sockDir := shareSocketDir(t, rs.Socket())
	addr := freeLoopbackAddr(t)
	const key = "podman-test-admin-key-0123456789"
	name := fmt.Sprintf("gatewayops-test-%d", os.Getpid())
	args := append(podmanRunFlags(), "run", "-d", "--rm", "--name", name, "--network=host",
		"-v", sockDir+":/run/redis",
		// podman's default limits (nofile 1048576) exceed this sandbox's hard
		// limits and the runtime's setrlimit fails; ECS sets its own.
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
		// -e NAME without a value copies it from podman's environment, so
		// the key is never on a command line.
		"-e", "GATEWAYOPS_ADMIN_KEYS", "-e", "GATEWAYOPS_REDIS_URL",
		ref, "--listen", addr, "--environment", "staging")
	run := exec.Command(podman, args...)
	run.Env = append(os.Environ(), "GATEWAYOPS_ADMIN_KEYS=ops:"+key, "GATEWAYOPS_REDIS_URL=unix:///run/redis/redis.sock")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("podman run: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := exec.Command(podman, "logs", name).CombinedOutput()
			t.Logf("container log:\n%s", logs)
		}
		_ = exec.Command(podman, "rm", "-f", name).Run()
	})

	waitHealthy(t, "http://"+addr+"/healthz")
	// The Redis behind the API is the host's: status reads it through the
	// mounted socket as the non-root user.
	status := get(t, "http://"+addr+"/admin/gateway/v1/status", key)
	if !strings.Contains(status, `"environment":"staging"`) {
		t.Errorf("status %s", status)
	}
	// ECS's health check command, run inside the container.
	probe := exec.Command(podman, append(podmanRunFlags(), "exec", name, image.BinaryPath, "admin-server", "--probe", "--listen", addr)...)
	if out, err := probe.CombinedOutput(); err != nil {
		t.Errorf("the health check inside the container failed: %v\n%s", err, out)
	}
	user, err := exec.Command(podman, "inspect", "--format", "{{.Config.User}}", name).Output()
	if err != nil || strings.TrimSpace(string(user)) != "65532:65532" {
		t.Errorf("container user %q (%v), want 65532:65532", user, err)
	}
}

// podmanRunFlags are the global flags this machine needs: crun 1.8 refuses
// a hybrid cgroup v1/v2 layout, runc accepts it. GATEWAYOPS_PODMAN_RUNTIME
// overrides the choice.
func podmanRunFlags() []string {
	if rt := os.Getenv("GATEWAYOPS_PODMAN_RUNTIME"); rt != "" {
		return []string{"--runtime", rt}
	}
	if _, err := exec.LookPath("runc"); err == nil {
		return []string{"--runtime", "runc"}
	}
	return nil
}

// loadImage builds gatewayops for linux, builds the image from it and loads
// the archive into podman; the image is removed when the test ends.
func loadImage(t *testing.T, podman string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "gatewayops")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "gatewayops")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build gatewayops: %v\n%s", err, out)
	}
	binary, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Fatalf("the build machine's CA bundle: %v (apt-get install -y ca-certificates)", err)
	}
	cfg := config(binary)
	// A tag of this process's own: removing it cannot touch another run's.
	cfg.CABundle, cfg.Arch, cfg.Version = ca, runtime.GOARCH, fmt.Sprintf("podman-test-%d", os.Getpid())
	img, err := image.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	layoutDir, archive := filepath.Join(dir, "oci"), filepath.Join(dir, "image.tar")
	if _, err := image.WriteLayout(layoutDir, img, image.RefName(cfg.Version), nil); err != nil {
		t.Fatal(err)
	}
	if err := image.WriteArchive(layoutDir, archive, cfg.Created); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(podman, "load", "-i", archive).CombinedOutput()
	if err != nil {
		t.Fatalf("podman load: %v\n%s", err, out)
	}
	ref := "localhost/" + image.RefName(cfg.Version)
	if !bytes.Contains(out, []byte(ref)) {
		t.Fatalf("podman load did not name the image %s:\n%s", ref, out)
	}
	t.Cleanup(func() { _ = exec.Command(podman, "rmi", "-f", ref).Run() })
	return ref
}

// shareSocketDir opens the socket's directory (and its parent, the test's
// temporary directory) to the container's non-root user.
func shareSocketDir(t *testing.T, socket string) string {
	t.Helper()
	dir := filepath.Dir(socket)
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHealthy polls until the server answers 200: the container needs a
// moment to start, and how long is not what this test measures.
func waitHealthy(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	last := "no answer"
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("%s never answered 200 (last: %s)", url, last)
}

func get(t *testing.T, url, key string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, b.String())
	}
	return b.String()
}
