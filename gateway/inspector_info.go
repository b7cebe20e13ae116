package gateway

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// summarizeInfo lifts the fields an on-call engineer reads first out of the
// parsed INFO sections.
func (d *Diagnosis) summarizeInfo() {
	srv, mem := d.Info["server"], d.Info["memory"]
	d.Server = ServerInfo{Version: srv["redis_version"], Mode: srv["redis_mode"], UptimeSeconds: infoInt(srv, "uptime_in_seconds")}
	d.Memory = MemoryInfo{UsedBytes: infoInt(mem, "used_memory"), MaxBytes: infoInt(mem, "maxmemory"),
		Policy: mem["maxmemory_policy"], EvictedKeys: infoInt(d.Info["stats"], "evicted_keys")}
	if d.Memory.MaxBytes > 0 {
		d.Memory.UsedPercent = float64(d.Memory.UsedBytes) / float64(d.Memory.MaxBytes) * 100
	}
	cl := d.Info["clients"]
	d.Clients = ClientInfo{Connected: infoInt(cl, "connected_clients"), Blocked: infoInt(cl, "blocked_clients")}
	for db, v := range d.Info["keyspace"] {
		ks := KeyspaceDB{DB: db}
		for _, part := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(part, "=")
			n, _ := strconv.ParseInt(val, 10, 64)
			switch k {
			case "keys":
				ks.Keys = n
			case "expires":
				ks.Expires = n
			}
		}
		d.Keyspace = append(d.Keyspace, ks)
	}
	sortKeyspace(d.Keyspace)
}

func sortKeyspace(k []KeyspaceDB) {
	for i := 1; i < len(k); i++ {
		for j := i; j > 0 && k[j].DB < k[j-1].DB; j-- {
			k[j], k[j-1] = k[j-1], k[j]
		}
	}
}

func infoInt(m map[string]string, key string) int64 {
	n, _ := strconv.ParseInt(m[key], 10, 64)
	return n
}

// secretCommands are commands whose arguments may carry credentials.
var secretCommands = map[string]bool{"AUTH": true, "HELLO": true, "CONFIG": true, "MIGRATE": true, "ACL": true, "MASTERAUTH": true}

// maxShownArgs and maxArgLen bound what a slowlog entry shows.
const (
	maxShownArgs = 6
	maxArgLen    = 64
)

// cutAtRune is s cut to at most n bytes without splitting a UTF-8
// character: a key of accented or CJK text cut mid-character would show an
// invalid byte where the reader expects a letter.
func cutAtRune(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// redactCommand renders a slowlog command line, hiding arguments of
// commands that can carry secrets and trimming long or many arguments.
func redactCommand(args []string) string {
	if len(args) == 0 {
		return ""
	}
	name := strings.ToUpper(args[0])
	if secretCommands[name] {
		return name + " [redacted]"
	}
	parts := []string{name}
	for i, a := range args[1:] {
		if i == maxShownArgs {
			parts = append(parts, "...("+strconv.Itoa(len(args)-1-maxShownArgs)+" more)")
			break
		}
		if len(a) > maxArgLen {
			a = cutAtRune(a, maxArgLen) + "..."
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
