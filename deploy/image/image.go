// Package image builds the gatewayops container image without a container
// daemon and without a base image: one layer holding a static binary, a CA
// bundle and a passwd/group pair with a non-root user, assembled with
// go-containerregistry and written as an OCI image layout.
//
// Every input that could vary between two builds of one commit is pinned:
// file times and the image's creation time come from Config.Created, tar
// entries are written in sorted order with fixed owners, and the layer is
// compressed with the standard library's deterministic gzip. Two builds of
// the same binary therefore have the same digest.
package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Paths and identity inside the image. The user is numeric in the config so
// that a runtime can check "not root" without reading /etc/passwd.
const (
	BinaryPath   = "/usr/local/bin/gatewayops"
	CABundlePath = "/etc/ssl/certs/ca-certificates.crt"
	UserName     = "gatewayops"
	UID          = 65532
	HomeDir      = "/home/gatewayops"
)

// Label keys: the OCI annotation names, used as image labels too.
const (
	LabelVersion  = "org.opencontainers.image.version"
	LabelRevision = "org.opencontainers.image.revision"
	LabelTitle    = "org.opencontainers.image.title"
	LabelCreated  = "org.opencontainers.image.created"
)

// Config is what one image is built from.
type Config struct {
	Binary   []byte    // the static gatewayops binary
	CABundle []byte    // PEM certificates, e.g. the build machine's ca-certificates
	Version  string    // shown as a label; what `gatewayops version` prints
	Commit   string    // the source revision, as a label
	Created  time.Time // the image's creation time and every file's mtime (use the commit time)
	Arch     string    // GOARCH of Binary: amd64, arm64
	// Entrypoint and Cmd: the entrypoint runs the admin server; Cmd holds
	// default flags that a task definition's command replaces.
	Entrypoint []string
	Cmd        []string
	Port       int // the port the default Cmd listens on, declared as exposed
}

func (c Config) check() error {
	switch {
	case len(c.Binary) == 0:
		return errors.New("image: the binary is empty")
	case len(c.CABundle) == 0 || !bytes.Contains(c.CABundle, []byte("BEGIN CERTIFICATE")):
		return errors.New("image: the CA bundle holds no PEM certificate")
	case strings.TrimSpace(c.Version) == "":
		return errors.New("image: a version is required (it becomes a label)")
	case strings.TrimSpace(c.Commit) == "":
		return errors.New("image: a commit is required (it becomes a label)")
	case c.Arch == "":
		return errors.New("image: the binary's architecture is required")
	case len(c.Entrypoint) == 0:
		return errors.New("image: an entrypoint is required")
	case c.Port < 1 || c.Port > 65535:
		return fmt.Errorf("image: port %d is outside 1-65535", c.Port)
	}
	return nil
}

// Build assembles the image in memory.
func Build(c Config) (v1.Image, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	created := c.Created.UTC().Truncate(time.Second)
	layerTar, err := rootFS(c, created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("image: layer: %w", err)
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History:   v1.History{Created: v1.Time{Time: created}, CreatedBy: "gatewayops deploy/image", Comment: "static binary, CA bundle, passwd"},
	})
	if err != nil {
		return nil, fmt.Errorf("image: append layer: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image: config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = c.Arch, "linux"
	cf.Created = v1.Time{Time: created}
	cf.Config = runtimeConfig(c, created)
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("image: set config: %w", err)
	}
	return img, nil
}

func runtimeConfig(c Config, created time.Time) v1.Config {
	return v1.Config{
		User:         fmt.Sprintf("%d:%d", UID, UID),
		Entrypoint:   append([]string(nil), c.Entrypoint...),
		Cmd:          append([]string(nil), c.Cmd...),
		Env:          []string{"PATH=/usr/local/bin", "SSL_CERT_FILE=" + CABundlePath, "HOME=" + HomeDir},
		WorkingDir:   HomeDir,
		ExposedPorts: map[string]struct{}{fmt.Sprintf("%d/tcp", c.Port): {}},
		Labels:       Labels(c, created),
		StopSignal:   "SIGTERM",
	}
}

// Labels are the image labels, also used as the layout's annotations.
func Labels(c Config, created time.Time) map[string]string {
	return map[string]string{
		LabelVersion:  c.Version,
		LabelRevision: c.Commit,
		LabelTitle:    "gatewayops",
		LabelCreated:  created.UTC().Format(time.RFC3339),
	}
}

// entry is one file or directory of the root filesystem.
type entry struct {
	name string // without a leading slash, as tar wants it
	mode int64
	uid  int
	body []byte
	dir  bool
}

func rootFS(c Config, created time.Time) ([]byte, error) {
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:%s:/sbin/nologin\n", UserName, UID, UID, UserName, HomeDir)
	group := fmt.Sprintf("root:x:0:\n%s:x:%d:\n", UserName, UID)
	files := []entry{
		{name: "etc/passwd", mode: 0o644, body: []byte(passwd)},
		{name: "etc/group", mode: 0o644, body: []byte(group)},
		{name: strings.TrimPrefix(CABundlePath, "/"), mode: 0o644, body: c.CABundle},
		{name: strings.TrimPrefix(BinaryPath, "/"), mode: 0o755, body: c.Binary},
		{name: "tmp", mode: 0o1777, dir: true},
		{name: strings.TrimPrefix(HomeDir, "/"), mode: 0o750, uid: UID, dir: true},
	}
	return writeTar(withParents(files), created)
}

// withParents adds every missing parent directory (root-owned, 0755) and
// sorts the entries by name, so a directory always precedes its contents
// and the order never depends on how the list above was written.
func withParents(files []entry) []entry {
	have := map[string]bool{}
	for _, f := range files {
		have[f.name] = true
	}
	out := append([]entry(nil), files...)
	for _, f := range files {
		for dir := path.Dir(f.name); dir != "." && !have[dir]; dir = path.Dir(dir) {
			have[dir] = true
			out = append(out, entry{name: dir, mode: 0o755, dir: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func writeTar(entries []entry, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{
			Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.uid,
			ModTime:  mtime,
			Typeflag: tar.TypeReg, Size: int64(len(e.body)),
		}
		if e.dir {
			h.Name, h.Typeflag, h.Size = e.name+"/", tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("image: tar %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, fmt.Errorf("image: tar %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("image: tar: %w", err)
	}
	return buf.Bytes(), nil
}
