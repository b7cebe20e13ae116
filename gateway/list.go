package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"
)

// Reservation listing bounds.
const (
	DefaultListLimit = 100
	MaxListLimit     = 500
)

// listCursor is the opaque position of ListReservations: an expiry set
// (community, month) and a rank inside it. Ranks shift when members are
// removed between pages, so a concurrent drain may make a page skip members;
// a listing never repeats or invents one.
type listCursor struct {
	Community string `json:"c"`
	Month     string `json:"m"`
	Offset    int64  `json:"o"`
}

func encodeCursor(c listCursor) string {
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeCursor(s string) (listCursor, error) {
	var c listCursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil || c.Offset < 0 || checkID("community", c.Community) != nil || checkMonth(c.Month) != nil {
		return listCursor{}, invalid("cursor", "is not a cursor this server issued: pass nextCursor from the previous page, or nothing to start")
	}
	return c, nil
}

// ListReservations pages through the reservations of one community (or all
// communities when community is ""), ordered by community, month and expiry
// time. limit is 1..500 (0 means 100).
func (s *Store) ListReservations(ctx context.Context, community, cursor string, limit int) (ReservationPage, error) {
	limit, err := checkMax("limit", limit, DefaultListLimit, MaxListLimit)
	if err != nil {
		return ReservationPage{}, err
	}
	if community != "" {
		if err := checkID("community", community); err != nil {
			return ReservationPage{}, err
		}
	}
	var pos listCursor
	if cursor != "" {
		if pos, err = decodeCursor(cursor); err != nil {
			return ReservationPage{}, err
		}
	}
	keys, _, err := s.scanMonthKeys(ctx, expiryPrefix, community, maxMonthKeys)
	if err != nil {
		return ReservationPage{}, err
	}
	page := ReservationPage{Items: []Reservation{}}
	for i, k := range keys {
		if k.community < pos.Community || (k.community == pos.Community && k.month < pos.Month) {
			continue // before the cursor
		}
		offset := int64(0)
		if k.community == pos.Community && k.month == pos.Month {
			offset = pos.Offset
		}
		need := int64(limit - len(page.Items))
		// read one more than needed to know whether this set continues
		entries, err := s.expiryPage(ctx, k.community, k.month, offset, need+1)
		if err != nil {
			return ReservationPage{}, err
		}
		for _, e := range entries[:min(int64(len(entries)), need)] {
			page.Items = append(page.Items, s.reservationOf(k, e))
		}
		if int64(len(entries)) > need {
			page.NextCursor = encodeCursor(listCursor{k.community, k.month, offset + need})
			return page, nil
		}
		if len(page.Items) == limit {
			if i+1 < len(keys) {
				page.NextCursor = encodeCursor(listCursor{keys[i+1].community, keys[i+1].month, 0})
			}
			return page, nil
		}
	}
	return page, nil
}

func (s *Store) reservationOf(k monthKey, e expiryEntry) Reservation {
	now := s.nowMs()
	user, idem := splitMember(e.member)
	return Reservation{
		Community: k.community, Month: k.month, User: user, IdempotencyKey: idem, Member: e.member,
		ExpiresAt:     time.UnixMilli(e.score).UTC(),
		AgeMs:         now - (e.score - ms(s.opts.ReservationTTL)),
		State:         e.state(now),
		EstimateCents: e.estimate,
		ModelAlias:    e.alias,
	}
}
