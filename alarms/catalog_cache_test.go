package alarms

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// cacheCatalogYAML is a catalog of n alarms in the shape `make bench` writes.
func cacheCatalogYAML(n int) []byte {
	var b strings.Builder
	b.WriteString("name: cached\nalarms:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: arrakis-{env}-agent-c-%04d\n    severity: high\n    metric:\n      namespace: Arrakis/AgentGateway\n"+
			"      metric: RequestLatency\n      dimensions: [{name: poolId, value: pool-%04d}]\n      stat: Average\n      period: 60\n"+
			"    comparison: GreaterThanThreshold\n    threshold: %d\n    evaluationPeriods: 1\n", i, i, 1000+i)
	}
	return []byte(b.String())
}

func cacheEntryFor(t *testing.T, dir, path string) catalogCacheEntry {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, catalogCacheName(path)))
	if err != nil {
		t.Fatal(err)
	}
	var e catalogCacheEntry
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&e); err != nil {
		t.Fatal(err)
	}
	return e
}

func writeCacheEntry(t *testing.T, dir, path string, e catalogCacheEntry) {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(e); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, catalogCacheName(path)), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The first load parses and caches the validated catalog; the next one is
// the cache's (an entry the test changed comes back as changed, so it was
// read, not re-parsed) and equals the parsed one.
func TestLoadCatalogCachedReadsItsEntryForTheSameBytes(t *testing.T) {
	dir, cache := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	path := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(path, cacheCatalogYAML(50), 0o600); err != nil {
		t.Fatal(err)
	}
	parsed, err := LoadCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := LoadCatalogCached(path, cache)
	if err != nil || !reflect.DeepEqual(first, parsed) {
		t.Fatalf("first load: %v, equal to LoadCatalog: %v", err, reflect.DeepEqual(first, parsed))
	}
	e := cacheEntryFor(t, cache, path)
	if !reflect.DeepEqual(e.Catalog, parsed) || e.Format != catalogFormat() {
		t.Fatalf("cache entry differs from the parsed catalog")
	}
	again, err := LoadCatalogCached(path, cache)
	if err != nil || !reflect.DeepEqual(again, parsed) {
		t.Fatalf("second load: %v, equal: %v", err, reflect.DeepEqual(again, parsed))
	}
	e.Catalog.Name = "from-the-cache"
	writeCacheEntry(t, cache, path, e)
	if c, err := LoadCatalogCached(path, cache); err != nil || c.Name != "from-the-cache" {
		t.Fatalf("the entry was not read: %q, %v", c.Name, err)
	}
}

// Changed bytes, another build's types or an unreadable entry parse the
// file again; a file that no longer parses is an error, whatever the cache
// holds; an unwritable cache directory only means no cache.
func TestLoadCatalogCachedNeverServesAStaleEntry(t *testing.T) {
	dir, cache := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	path := filepath.Join(dir, "c.yaml")
	os.WriteFile(path, cacheCatalogYAML(5), 0o600)
	if _, err := LoadCatalogCached(path, cache); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, cacheCatalogYAML(7), 0o600)
	if c, err := LoadCatalogCached(path, cache); err != nil || len(c.Alarms) != 7 {
		t.Fatalf("changed file: %d alarms, %v; want 7", len(c.Alarms), err)
	}
	if e := cacheEntryFor(t, cache, path); len(e.Catalog.Alarms) != 7 {
		t.Fatalf("the entry was not replaced: %d alarms", len(e.Catalog.Alarms))
	}

	raw, _ := os.ReadFile(path)
	stale := catalogCacheEntry{Format: "another build", Sum: sha256.Sum256(raw), Catalog: Catalog{Name: "stale"}}
	writeCacheEntry(t, cache, path, stale)
	if c, err := LoadCatalogCached(path, cache); err != nil || c.Name != "cached" {
		t.Fatalf("another build's entry was served: %q, %v", c.Name, err)
	}
	os.WriteFile(filepath.Join(cache, catalogCacheName(path)), []byte("not gob"), 0o600)
	if c, err := LoadCatalogCached(path, cache); err != nil || len(c.Alarms) != 7 {
		t.Fatalf("corrupt entry: %d alarms, %v", len(c.Alarms), err)
	}

	os.WriteFile(path, []byte("name: broken\nalarms:\n  - name: x\n    severity: urgent\n"), 0o600)
	if _, err := LoadCatalogCached(path, cache); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("a broken file after a cached one: err %v, want an error naming %s", err, path)
	}

	blocked := filepath.Join(dir, "file-not-dir")
	os.WriteFile(blocked, nil, 0o600)
	os.WriteFile(path, cacheCatalogYAML(3), 0o600)
	if c, err := LoadCatalogCached(path, blocked); err != nil || len(c.Alarms) != 3 {
		t.Fatalf("unwritable cache dir: %d alarms, %v", len(c.Alarms), err)
	}
}

// The format changes with any field of the catalog's types.
func TestCatalogFormatNamesEveryField(t *testing.T) {
	f := catalogFormat()
	for _, want := range []string{"Alarms", "TreatMissingData", `"yaml:\"treatMissingData,omitempty\"`, "Dimensions", "Annotations", "Expression"} {
		if !strings.Contains(f, want) {
			t.Fatalf("format lacks %s: %s", want, f)
		}
	}
}

// BenchmarkLoadCatalog1000 is a 1,000-alarm catalog file (the shape of
// `make bench`) loaded by parsing the YAML and from its cache entry.
func BenchmarkLoadCatalog1000(b *testing.B) {
	path := filepath.Join(b.TempDir(), "c.yaml")
	os.WriteFile(path, cacheCatalogYAML(1000), 0o600)
	cache := b.TempDir()
	b.Run("yaml", func(b *testing.B) {
		for b.Loop() {
			if _, err := LoadCatalog(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			if c, err := LoadCatalogCached(path, cache); err != nil || len(c.Alarms) != 1000 {
				b.Fatal(err)
			}
		}
	})
}
