package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// invalidateChannel is where Redis publishes client-tracking invalidations
// to a RESP2 connection that subscribed to it.
const invalidateChannel = "__redis__:invalidate"

// syncTimeout bounds one barrier (two PINGs through the invalidation
// connection); past it the summary reads cold.
const syncTimeout = 5 * time.Second

// maxPendingKeys bounds the keys kept between two summaries: past it they
// are dropped and gen moves (the next summary fills the cache again), so a
// gateway writing while nobody asks for summaries costs no memory.
const maxPendingKeys = 1_000_000

// invalidations is one dedicated RESP2 connection with CLIENT TRACKING ON
// BCAST PREFIX agent:budget:reservation: REDIRECT <itself>, subscribed to
// __redis__:invalidate: Redis names on it every reservation hash written,
// deleted, expired or evicted, whoever did it (decision 160). Tracking and
// the subscription live and die with the one connection, so no half of them
// can outlive the other; every (re)connection, flush (a null message) or read
// error moves gen, and a cache filled under another gen is thrown away.
type invalidations struct {
	client *redis.Client
	ps     *redis.PubSub
	name   string // CLIENT SETNAME of the connection: finds it on the server the reads go to
	stop   context.CancelFunc
	done   chan struct{}

	mu         sync.Mutex
	gen        uint64
	id         int64 // the connection's CLIENT ID under gen
	subscribed bool  // the subscription of gen is confirmed
	keys       map[string]struct{}
	pongs      map[string]chan error // barriers waiting for their PONG
	seq        int
}

// OwnClientOptions is c's options (address, credentials, TLS, dialer) for
// a client of its own. The copy gets its own maintenance-notification
// config and no push processor: the original's config is written by its
// client (under that client's lock) when a handshake falls back while
// NewClient reads the copy's pointer unlocked to clone it (a data race the
// race detector caught in CI), and a shared push processor already holds
// the original's handlers (go-redis logs a failed registration).
// Maintenance notifications are RESP3 pushes a derived client does without.
func OwnClientOptions(c *redis.Client) redis.Options {
	opt := *c.Options()
	opt.PushNotificationProcessor = nil
	opt.MaintNotificationsConfig = NoMaintNotifications()
	return opt
}

// NoMaintNotifications is a maintenance-notification config of a client's
// own, switched off.
func NoMaintNotifications() *maintnotifications.Config {
	return &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
}

// newInvalidations opens the connection from rdb's options; only a
// single-node *redis.Client can be tracked this way.
func newInvalidations(rdb redis.UniversalClient) (*invalidations, error) {
	c, ok := rdb.(*redis.Client)
	if !ok {
		return nil, errors.New("client tracking needs a single-node Redis client")
	}
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	inv := &invalidations{name: "gatewayops-summary-" + hex.EncodeToString(nonce), done: make(chan struct{}),
		keys: map[string]struct{}{}, pongs: map[string]chan error{}}
	opts := OwnClientOptions(c) // credentials and TLS as the store's, never printed
	opts.Protocol = 2           // invalidations as Pub/Sub messages (RESP3 would push them)
	opts.PoolSize, opts.MinIdleConns, opts.MaxIdleConns = 1, 0, 0
	opts.ClientName = ""
	prev := opts.OnConnect
	opts.OnConnect = func(ctx context.Context, cn *redis.Conn) error {
		if prev != nil {
			if err := prev(ctx, cn); err != nil {
				return err
			}
		}
		return inv.track(ctx, cn)
	}
	inv.client = redis.NewClient(&opts)
	ctx, stop := context.WithCancel(context.Background())
	inv.stop = stop
	inv.ps = inv.client.Subscribe(ctx, invalidateChannel)
	go inv.receive(ctx)
	return inv, nil
}

// track turns tracking on for a new connection, before go-redis subscribes
// it: what is written before the subscription is confirmed is lost, which is
// why nothing is cached from before a barrier of the new gen.
func (inv *invalidations) track(ctx context.Context, cn *redis.Conn) error {
	id, err := cn.ClientID(ctx).Result()
	if err != nil {
		return fmt.Errorf("client id: %w", err)
	}
	if err := cn.ClientSetName(ctx, inv.name).Err(); err != nil {
		return fmt.Errorf("client setname: %w", err)
	}
	if err := cn.Do(ctx, "CLIENT", "TRACKING", "ON", "REDIRECT", id, "BCAST",
		"PREFIX", reservationPrefix).Err(); err != nil {
		return fmt.Errorf("client tracking: %w", err)
	}
	inv.mu.Lock()
	inv.gen++
	inv.id, inv.subscribed = id, false
	inv.keys = map[string]struct{}{}
	inv.mu.Unlock()
	return nil
}

// lost records that messages may have been missed; a barrier waiting for
// a PONG the connection may never bring tries again. (The subscription
// stands: go-redis reconnects only after a broken read, and track resets
// it then.)
func (inv *invalidations) lost(err error) {
	inv.mu.Lock()
	inv.gen++
	inv.keys = map[string]struct{}{}
	for token, ch := range inv.pongs {
		ch <- err
		delete(inv.pongs, token)
	}
	inv.mu.Unlock()
}

// receive reads the connection until closed. go-redis reconnects (and
// resubscribes) on the next Receive after an error; track then moves gen.
func (inv *invalidations) receive(ctx context.Context) {
	defer close(inv.done)
	backoff := 50 * time.Millisecond
	for {
		msg, err := inv.ps.Receive(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// A FLUSHALL/FLUSHDB's null payload arrives here too
			// ("unsupported pubsub message payload: <nil>"): everything
			// may have changed.
			inv.lost(err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		inv.handle(msg)
	}
}

func (inv *invalidations) handle(msg any) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	switch m := msg.(type) {
	case *redis.Subscription:
		if m.Kind == "subscribe" && m.Channel == invalidateChannel {
			inv.subscribed = true
		}
	case *redis.Message:
		if m.Channel != invalidateChannel {
			return
		}
		if len(m.PayloadSlice) == 0 { // not a key list: treat as a flush
			inv.gen++
			inv.keys = map[string]struct{}{}
			return
		}
		for _, k := range m.PayloadSlice {
			inv.keys[k] = struct{}{}
		}
		if len(inv.keys) > maxPendingKeys {
			inv.gen++
			inv.keys = map[string]struct{}{}
		}
	case *redis.Pong:
		if ch, ok := inv.pongs[m.Payload]; ok {
			ch <- nil
			delete(inv.pongs, m.Payload)
		}
	}
}

// sync is the barrier: two PINGs in turn through the connection. Redis
// queues a BCAST invalidation when its event loop goes to sleep, so a write
// executed in the same loop iteration as the first PING may follow its
// answer; it cannot follow the second's, which Redis reads only after
// answering the first. So every write executed before the first PING has
// been received when sync returns: the keys since the last sync and the gen
// they belong to. A connection lost on the way is reopened once (its gen
// then tells the caller nothing cached survives).
func (inv *invalidations) sync(ctx context.Context) (uint64, map[string]struct{}, error) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	for done, retried := 0, false; done < 2; {
		if err := inv.ping(ctx); err != nil {
			if retried || ctx.Err() != nil {
				return 0, nil, fmt.Errorf("invalidation connection: %w", err)
			}
			retried, done = true, 0
			continue
		}
		done++
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if !inv.subscribed {
		return 0, nil, errors.New("invalidation connection: not subscribed")
	}
	keys := inv.keys
	inv.keys = map[string]struct{}{}
	return inv.gen, keys, nil
}

// ping sends one PING through the connection and waits for its PONG.
func (inv *invalidations) ping(ctx context.Context) error {
	inv.mu.Lock()
	inv.seq++
	token := "sync-" + strconv.Itoa(inv.seq)
	ch := make(chan error, 1)
	inv.pongs[token] = ch
	inv.mu.Unlock()
	err := inv.ps.Ping(ctx, token)
	if err == nil {
		select {
		case err = <-ch:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	inv.mu.Lock()
	delete(inv.pongs, token)
	inv.mu.Unlock()
	return err
}

// connection is the CLIENT ID and name the reads must find on their server.
func (inv *invalidations) connection() (int64, string) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.id, inv.name
}

// verifyTracking checks, on the connection the reads use, that the
// invalidation connection is there (same server), tracking in BCAST mode
// with an intact redirect: CLIENT LIST ID's flags t (tracking), B (BCAST),
// P (Pub/Sub) and no R (broken redirect).
func verifyTracking(line string, name string) error {
	fields := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			fields[k] = v
		}
	}
	flags := fields["flags"]
	switch {
	case fields["name"] != name:
		return errors.New("the invalidation connection is not on this Redis")
	case !strings.Contains(flags, "t") || !strings.Contains(flags, "B") || !strings.Contains(flags, "P"):
		return fmt.Errorf("the invalidation connection is not tracking (flags %q)", flags)
	case strings.Contains(flags, "R"):
		return errors.New("the invalidation connection's redirect is broken")
	}
	return nil
}

func (inv *invalidations) close() error {
	inv.stop()
	err := inv.ps.Close()
	<-inv.done
	return errors.Join(err, inv.client.Close())
}
