package alarms

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// Decoding YAML is the console's largest start-up cost at 1,000 alarms
// (25 ms here, 56-65 ms under load; issue 12 item 7), while the same
// catalog as gob decodes in about 1.4 ms. So a catalog file that parsed and
// validated once is kept, validated, in a cache entry named after its path
// and holding the SHA-256 of the bytes it came from and the shape of the Go
// types it was encoded from: any other bytes or another build's types
// parse the YAML again. The cache only ever speeds a load up: an entry
// that cannot be read or written is ignored.

// catalogCacheEntry is one cached catalog.
type catalogCacheEntry struct {
	Format  string   // catalogFormat() when written
	Sum     [32]byte // SHA-256 of the YAML file's bytes
	Catalog Catalog
}

// LoadCatalogCached is LoadCatalog with the validated result cached in dir
// ("" caches nothing).
func LoadCatalogCached(path, dir string) (Catalog, error) {
	if dir == "" {
		return LoadCatalog(path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return Catalog{}, fmt.Errorf("catalog %s: %w", path, err)
	}
	sum := sha256.Sum256(raw)
	entry := filepath.Join(dir, catalogCacheName(path))
	if c, ok := readCatalogCache(entry, sum); ok {
		return c, nil
	}
	c, err := ParseCatalog(raw)
	if err != nil {
		return Catalog{}, fmt.Errorf("catalog %s: %w", path, err)
	}
	writeCatalogCache(dir, entry, catalogCacheEntry{Format: catalogFormat(), Sum: sum, Catalog: c})
	return c, nil
}

// catalogCacheName is one entry per catalog path (a changed file replaces
// its entry rather than adding one).
func catalogCacheName(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	h := sha256.Sum256([]byte(path))
	return "catalog-" + hex.EncodeToString(h[:12]) + ".gob"
}

func readCatalogCache(entry string, sum [32]byte) (Catalog, bool) {
	raw, err := os.ReadFile(entry)
	if err != nil {
		return Catalog{}, false
	}
	var e catalogCacheEntry
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&e); err != nil || e.Format != catalogFormat() || e.Sum != sum {
		return Catalog{}, false
	}
	return e.Catalog, true
}

// writeCatalogCache writes the entry whole (a temporary file renamed over
// it), so a reader never sees half of one.
func writeCatalogCache(dir, entry string, e catalogCacheEntry) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".catalog-*")
	if err != nil {
		return
	}
	err = gob.NewEncoder(f).Encode(e)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), entry)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
}

// catalogFormat describes the Catalog type (every field's name, type and
// tags, recursively): gob would decode an entry written by a build whose
// types differ, silently leaving new fields zero.
func catalogFormat() string {
	var b strings.Builder
	describeType(&b, reflect.TypeFor[Catalog](), map[reflect.Type]bool{})
	return b.String()
}

func describeType(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		b.WriteString(t.Kind().String() + "(")
		describeType(b, t.Elem(), seen)
		b.WriteString(")")
	case reflect.Map:
		b.WriteString("map(")
		describeType(b, t.Key(), seen)
		b.WriteString(",")
		describeType(b, t.Elem(), seen)
		b.WriteString(")")
	case reflect.Struct:
		b.WriteString(t.String())
		if seen[t] {
			return
		}
		seen[t] = true
		b.WriteString("{")
		for f := range t.Fields() {
			fmt.Fprintf(b, "%s %q ", f.Name, f.Tag)
			describeType(b, f.Type, seen)
			b.WriteString(";")
		}
		b.WriteString("}")
	default:
		b.WriteString(t.String())
	}
}
