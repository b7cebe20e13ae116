package image_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"gatewayops/deploy/image"
)

// smallBinary compiles a tiny static Go program once per test binary run;
// an image of it is small enough to build twice in every test.
func smallBinary(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"hello from the image\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "hello")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GO111MODULE=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// testCA is a syntactically real PEM block; the image only copies it.
const testCA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUfake\n-----END CERTIFICATE-----\n"

func config(bin []byte) image.Config {
	return image.Config{
		Binary: bin, CABundle: []byte(testCA), Version: "v1.2.3-4-gabcdef0", Commit: "abcdef0123456789abcdef0123456789abcdef01",
		Created: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), Arch: runtime.GOARCH,
		Entrypoint: []string{image.BinaryPath, "admin-server"}, Cmd: []string{"--listen", ":8089"}, Port: 8089,
	}
}

// buildLayout builds cfg into a fresh layout and archive, and returns the
// digest and the archive's bytes.
func buildLayout(t *testing.T, cfg image.Config) (v1.Hash, string, []byte) {
	t.Helper()
	img, err := image.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "oci")
	digest, err := image.WriteLayout(dir, img, image.RefName(cfg.Version), image.Labels(cfg, cfg.Created))
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "image.tar")
	if err := image.WriteArchive(dir, archive, cfg.Created); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	return digest, dir, data
}

func TestLayoutValidates(t *testing.T) {
	cfg := config(smallBinary(t))
	digest, dir, _ := buildLayout(t, cfg)
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	// validate.Index walks every manifest, config and layer blob, checking
	// digests, sizes, diff IDs and media types.
	if err := validate.Index(idx); err != nil {
		t.Fatalf("layout does not validate: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Digest != digest {
		t.Fatalf("index lists %+v, want the one image %s", im.Manifests, digest)
	}
	if got := im.Manifests[0].Annotations[image.RefNameAnnotation]; got != "gatewayops:v1.2.3-4-gabcdef0" {
		t.Errorf("ref name %q", got)
	}
	img, err := idx.Image(digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatalf("image does not validate: %v", err)
	}
}

func TestConfigRunsAdminServerAsNonRoot(t *testing.T) {
	cfg := config(smallBinary(t))
	img, err := image.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if !slices.Equal(c.Entrypoint, []string{"/usr/local/bin/gatewayops", "admin-server"}) {
		t.Errorf("entrypoint %q", c.Entrypoint)
	}
	if c.User != "65532:65532" {
		t.Errorf("user %q, want the numeric non-root 65532:65532", c.User)
	}
	if c.Labels[image.LabelVersion] != cfg.Version || c.Labels[image.LabelRevision] != cfg.Commit {
		t.Errorf("labels %v", c.Labels)
	}
	if _, ok := c.ExposedPorts["8089/tcp"]; !ok {
		t.Errorf("exposed ports %v", c.ExposedPorts)
	}
	if !cf.Created.Time.Equal(cfg.Created) || cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("created %v os %s arch %s", cf.Created, cf.OS, cf.Architecture)
	}
	if !slices.Contains(c.Env, "SSL_CERT_FILE="+image.CABundlePath) {
		t.Errorf("env %q lacks SSL_CERT_FILE", c.Env)
	}
}

type tarFile struct {
	mode     int64
	uid      int
	body     string
	typeflag byte
	mtime    time.Time
}

func layerFiles(t *testing.T, img v1.Image) ([]string, map[string]tarFile) {
	t.Helper()
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers %d, %v: want one", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var names []string
	files := map[string]tarFile{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, files
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		names = append(names, h.Name)
		files[h.Name] = tarFile{mode: h.Mode, uid: h.Uid, body: string(body), typeflag: h.Typeflag, mtime: h.ModTime}
	}
}

func TestLayerHoldsBinaryCAAndUser(t *testing.T) {
	bin := smallBinary(t)
	cfg := config(bin)
	img, err := image.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	names, files := layerFiles(t, img)
	if !slices.IsSorted(names) {
		t.Errorf("tar entries not sorted: %q", names)
	}
	want := []string{"etc/", "etc/group", "etc/passwd", "etc/ssl/", "etc/ssl/certs/", "etc/ssl/certs/ca-certificates.crt",
		"home/", "home/gatewayops/", "tmp/", "usr/", "usr/local/", "usr/local/bin/", "usr/local/bin/gatewayops"}
	if !slices.Equal(names, want) {
		t.Errorf("entries\n got %q\nwant %q", names, want)
	}
	if f := files["usr/local/bin/gatewayops"]; f.body != string(bin) || f.mode != 0o755 || f.uid != 0 {
		t.Errorf("binary: mode %o uid %d, %d bytes of %d", f.mode, f.uid, len(f.body), len(bin))
	}
	if f := files["etc/ssl/certs/ca-certificates.crt"]; f.body != testCA {
		t.Errorf("CA bundle %q", f.body)
	}
	if f := files["etc/passwd"]; !strings.Contains(f.body, "\ngatewayops:x:65532:65532:") {
		t.Errorf("passwd lacks the non-root user: %q", f.body)
	}
	if f := files["home/gatewayops/"]; f.uid != image.UID || f.typeflag != tar.TypeDir {
		t.Errorf("home: uid %d type %c", f.uid, f.typeflag)
	}
	for name, f := range files {
		if !f.mtime.Equal(cfg.Created) {
			t.Errorf("%s mtime %v, want the fixed %v", name, f.mtime, cfg.Created)
		}
	}
}

func TestSameInputsSameDigest(t *testing.T) {
	cfg := config(smallBinary(t))
	d1, _, a1 := buildLayout(t, cfg)
	d2, _, a2 := buildLayout(t, cfg)
	if d1 != d2 {
		t.Fatalf("two builds of the same inputs: %s and %s", d1, d2)
	}
	if !bytes.Equal(a1, a2) {
		t.Fatal("two builds of the same inputs wrote different archives")
	}
	// The digest must follow the inputs, or "same digest" would prove nothing.
	other := cfg
	other.Commit = strings.Repeat("f", 40)
	if d3, _, _ := buildLayout(t, other); d3 == d1 {
		t.Fatal("a different commit label gave the same digest")
	}
	later := cfg
	later.Created = cfg.Created.Add(time.Second)
	if d4, _, _ := buildLayout(t, later); d4 == d1 {
		t.Fatal("a different creation time gave the same digest")
	}
}

func TestBadInputsAreRefused(t *testing.T) {
	good := config([]byte("binary"))
	cases := map[string]func(*image.Config){
		"empty binary":  func(c *image.Config) { c.Binary = nil },
		"no PEM in CA":  func(c *image.Config) { c.CABundle = []byte("not a certificate") },
		"no version":    func(c *image.Config) { c.Version = " " },
		"no commit":     func(c *image.Config) { c.Commit = "" },
		"no arch":       func(c *image.Config) { c.Arch = "" },
		"no entrypoint": func(c *image.Config) { c.Entrypoint = nil },
		"port 0":        func(c *image.Config) { c.Port = 0 },
	}
	for name, mutate := range cases {
		c := good
		mutate(&c)
		if _, err := image.Build(c); err == nil || !strings.HasPrefix(err.Error(), "image: ") {
			t.Errorf("%s: err %v, want a clear image: error", name, err)
		}
	}
}

func TestWriteLayoutRefusesForeignDirectory(t *testing.T) {
	img, err := image.Build(config([]byte("binary")))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	precious := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(precious, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := image.WriteLayout(dir, img, "x", nil); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("err %v, want a refusal", err)
	}
	if b, err := os.ReadFile(precious); err != nil || string(b) != "keep me" {
		t.Fatalf("the foreign file was touched: %q %v", b, err)
	}
	// A layout written before is replaced, not appended to.
	out := filepath.Join(t.TempDir(), "oci")
	for range 2 {
		if _, err := image.WriteLayout(out, img, "x", nil); err != nil {
			t.Fatal(err)
		}
	}
	idx, err := layout.ImageIndexFromPath(out)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 1 {
		t.Fatalf("rewritten layout lists %d images, want 1", len(im.Manifests))
	}
}

func TestRefName(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.3":                 "v1.2.3",
		"0dfbfea-dirty":          "0dfbfea-dirty",
		"v1.2+build/x":           "v1.2_build_x",
		"":                       "latest",
		"-x":                     "x",
		strings.Repeat("a", 200): strings.Repeat("a", 128),
	} {
		if got := image.RefName(in); got != "gatewayops:"+want {
			t.Errorf("RefName(%q) = %q, want %q", in, got, want)
		}
	}
}
