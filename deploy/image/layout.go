package image

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// RefNameAnnotation names the image inside a layout; `podman load` and
// skopeo take it as the tag.
const RefNameAnnotation = "org.opencontainers.image.ref.name"

// WriteLayout writes img as an OCI image layout in dir, tagged ref, and
// returns the manifest digest. dir must be absent, empty, or a layout an
// earlier build wrote: its contents are replaced, because appending to an
// old index would make two builds differ.
func WriteLayout(dir string, img v1.Image, ref string, annotations map[string]string) (v1.Hash, error) {
	if err := clearLayoutDir(dir); err != nil {
		return v1.Hash{}, err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("image: layout %s: %w", dir, err)
	}
	anns := map[string]string{RefNameAnnotation: ref}
	for k, v := range annotations {
		anns[k] = v
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("image: config: %w", err)
	}
	platform := v1.Platform{OS: cf.OS, Architecture: cf.Architecture}
	if err := p.AppendImage(img, layout.WithAnnotations(anns), layout.WithPlatform(platform)); err != nil {
		return v1.Hash{}, fmt.Errorf("image: layout %s: %w", dir, err)
	}
	return img.Digest()
}

// clearLayoutDir refuses to delete anything that is not an earlier layout,
// so a mistyped --layout cannot remove a directory of someone's files.
func clearLayoutDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("image: layout %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err != nil {
		return fmt.Errorf("image: %s is not empty and holds no oci-layout file: refusing to replace it", dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("image: clearing the old layout %s: %w", dir, err)
	}
	return nil
}

// WriteArchive writes the layout in dir as an OCI archive (a tar of the
// layout, what `podman load` and `skopeo copy oci-archive:` read). Entries
// are sorted, owned by root, with fixed modes and mtime, so the archive's
// bytes depend only on the layout's contents.
func WriteArchive(dir, archive string, mtime time.Time) error {
	var entries []entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if d.IsDir() {
			entries = append(entries, entry{name: name, mode: 0o755, dir: true})
			return nil
		}
		body, err := os.ReadFile(p)
		entries = append(entries, entry{name: name, mode: 0o644, body: body})
		return err
	})
	if err != nil {
		return fmt.Errorf("image: reading layout %s: %w", dir, err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	data, err := writeTar(entries, mtime.UTC().Truncate(time.Second))
	if err != nil {
		return err
	}
	tmp := archive + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	if err := os.Rename(tmp, archive); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	return nil
}

// RefName is the name a layout carries, gatewayops:<tag>, with the version
// as the tag and the characters a tag may not hold replaced, so `git
// describe` output like v1.2-3-gabc+dirty stays usable. `podman load`
// takes it as the image's name (localhost/gatewayops:<tag>).
func RefName(version string) string {
	var b strings.Builder
	for _, r := range version {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	tag := strings.TrimLeft(b.String(), ".-")
	if tag == "" {
		tag = "latest"
	}
	if len(tag) > 128 {
		tag = tag[:128]
	}
	return "gatewayops:" + tag
}
