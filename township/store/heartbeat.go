package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

// Beat is a device's last heartbeat and when the township took it (by the township's clock).
type Beat struct {
	api.Heartbeat
	Received time.Time `json:"received"`
}

// PutHeartbeat keeps the device's latest heartbeat (only the latest: the township shows state,
// not history; a monitoring system scraping /admin/metrics keeps the history).
func (s *Store) PutHeartbeat(id string, h api.Heartbeat) error {
	err := s.db.Batch(func(tx *bolt.Tx) error {
		return localdb.PutJSON(tx, bHeartbeats, []byte(id), Beat{Heartbeat: h, Received: s.now().UTC()})
	})
	if err != nil {
		return fmt.Errorf("heartbeat of %s: %w", id, err)
	}
	return nil
}

// Heartbeats is the latest heartbeat of every device that ever sent one.
func (s *Store) Heartbeats() (map[string]Beat, error) {
	out := map[string]Beat{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bHeartbeats).ForEach(func(k, v []byte) error {
			var b Beat
			if err := json.Unmarshal(v, &b); err != nil {
				return fmt.Errorf("device %s: %w", k, err)
			}
			out[string(k)] = b
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("heartbeats: %w", err)
	}
	return out, nil
}
