package queue

import (
	"bytes"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"hallkiosk/localdb"
)

var bucketQueue = []byte("hall_queue")

// BoltStore keeps the queue in the host's store: "t/<day>/<number>" for tickets (history by day)
// and "slot/<device>" for blocks, each written in its own fsynced transaction.
type BoltStore struct{ DB *localdb.DB }

// LoadDay reads one day's tickets.
func (s BoltStore) LoadDay(day string) ([]Ticket, error) {
	var out []Ticket
	err := s.DB.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQueue)
		if b == nil {
			return nil
		}
		p := []byte("t/" + day + "/")
		c := b.Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			var t Ticket
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("queue ticket %s: %w", k, err)
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// SaveTicket stores a ticket as it is now.
func (s BoltStore) SaveTicket(t Ticket) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.put("t/"+t.Day+"/"+t.Number, raw)
}

// Slots reads which device holds which block.
func (s BoltStore) Slots() (map[string]int, error) {
	out := map[string]int{}
	err := s.DB.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQueue)
		if b == nil {
			return nil
		}
		p := []byte("slot/")
		c := b.Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			var n int
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("queue slot %s: %w", k, err)
			}
			out[string(k[len(p):])] = n
		}
		return nil
	})
	return out, err
}

// SaveSlot records a device's block.
func (s BoltStore) SaveSlot(device string, slot int) error {
	raw, _ := json.Marshal(slot)
	return s.put("slot/"+device, raw)
}

func (s BoltStore) put(key string, value []byte) error {
	return s.DB.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketQueue)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), value)
	})
}
