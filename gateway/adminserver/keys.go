package adminserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// MinKeyLength is the shortest plaintext API key ParseKeys accepts.
const MinKeyLength = 16

// maxVerifiedCache bounds the bcrypt verification cache; a full cache is
// cleared rather than grown, so memory stays bounded whatever callers send.
const maxVerifiedCache = 1024

// Key is one admin API key. The secret itself is never kept: plaintext keys
// are held as their sha256, bcrypt keys as the hash they were configured with.
type Key struct {
	Name   string
	sha    [sha256.Size]byte // set for plaintext keys
	bcrypt []byte            // set for bcrypt keys
}

// NewKey builds a Key from a name and a plaintext secret or a bcrypt hash.
func NewKey(name, secret string) (Key, error) {
	if !validKeyName(name) {
		return Key{}, errors.New("key name must be 1-64 characters of letters, digits, '.', '_' or '-'")
	}
	if isBcryptHash(secret) {
		if _, err := bcrypt.Cost([]byte(secret)); err != nil {
			return Key{}, fmt.Errorf("key %q: malformed bcrypt hash", name)
		}
		return Key{Name: name, bcrypt: []byte(secret)}, nil
	}
	if len(secret) < MinKeyLength {
		return Key{}, fmt.Errorf("key %q: plaintext key shorter than %d characters", name, MinKeyLength)
	}
	for _, r := range secret {
		if r < 0x21 || r > 0x7e {
			return Key{}, fmt.Errorf("key %q: key must be printable ASCII without spaces", name)
		}
	}
	return Key{Name: name, sha: sha256.Sum256([]byte(secret))}, nil
}

// ParseKeys parses GATEWAYOPS_ADMIN_KEYS: comma-separated "name:key" or
// "name:<bcrypt hash>" ($2a$, $2b$, $2y$). Errors name the entry by its
// 1-based index and never echo the key.
func ParseKeys(env string) ([]Key, error) {
	if strings.TrimSpace(env) == "" {
		return nil, errors.New("no admin API keys: set GATEWAYOPS_ADMIN_KEYS to comma-separated name:key entries")
	}
	var keys []Key
	seen := map[string]bool{}
	for i, entry := range strings.Split(env, ",") {
		entry = strings.TrimSpace(entry)
		name, secret, ok := strings.Cut(entry, ":")
		if !ok || name == "" || secret == "" {
			return nil, fmt.Errorf("admin key entry %d: want name:key or name:<bcrypt hash>", i+1)
		}
		k, err := NewKey(name, secret)
		if err != nil {
			return nil, fmt.Errorf("admin key entry %d: %w", i+1, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("admin key entry %d: duplicate key name %q", i+1, name)
		}
		seen[name] = true
		keys = append(keys, k)
	}
	return keys, nil
}

func isBcryptHash(s string) bool {
	return strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$")
}

func validKeyName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		ok := r == '.' || r == '_' || r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// authenticator checks presented keys. Successful bcrypt verifications are
// cached by sha256 of the presented key, so a key costs one bcrypt run per
// process rather than one per request.
type authenticator struct {
	keys     []Key
	mu       sync.Mutex
	verified map[[sha256.Size]byte]string
}

func newAuthenticator(keys []Key) *authenticator {
	return &authenticator{keys: keys, verified: map[[sha256.Size]byte]string{}}
}

// lookup returns the name of the key matching presented, or ok=false.
func (a *authenticator) lookup(presented string) (name string, ok bool) {
	if name, ok := a.quick(presented); ok {
		return name, true
	}
	return a.slow(presented)
}

// quick recognises plaintext keys and bcrypt keys verified before: cheap
// enough to run before any limit, so a valid key is never refused for other
// callers' failures.
func (a *authenticator) quick(presented string) (name string, ok bool) {
	sum := sha256.Sum256([]byte(presented))
	// Compare against every plaintext key without stopping early, so timing
	// says nothing about which key (if any) almost matched.
	for _, k := range a.keys {
		if k.bcrypt == nil && subtle.ConstantTimeCompare(sum[:], k.sha[:]) == 1 {
			name, ok = k.Name, true
		}
	}
	if ok {
		return name, true
	}
	a.mu.Lock()
	name, ok = a.verified[sum]
	a.mu.Unlock()
	return name, ok
}

// slow runs bcrypt over the hashed keys: only after the caller's address is
// within its unauthenticated limit.
func (a *authenticator) slow(presented string) (name string, ok bool) {
	sum := sha256.Sum256([]byte(presented))
	for _, k := range a.keys {
		if k.bcrypt != nil && bcrypt.CompareHashAndPassword(k.bcrypt, []byte(presented)) == nil {
			a.remember(sum, k.Name)
			return k.Name, true
		}
	}
	return "", false
}

func (a *authenticator) remember(sum [sha256.Size]byte, name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.verified) >= maxVerifiedCache {
		clear(a.verified)
	}
	a.verified[sum] = name
}
