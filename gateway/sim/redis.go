package sim

import (
	"time"

	"github.com/redis/go-redis/v9"
)

// redisZ is an expiry ZSET entry scored by its expiry time in ms.
func redisZ(expiresAt time.Time, member string) redis.Z {
	return redis.Z{Score: float64(expiresAt.UnixMilli()), Member: member}
}
