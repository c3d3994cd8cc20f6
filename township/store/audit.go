package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"hallkiosk/township/api"
)

// AuditLine is one line of a device's audit log as the township keeps it.
type AuditLine struct {
	api.AuditPayload
	Device   string    `json:"device"`
	Village  string    `json:"village"`
	Received time.Time `json:"received"`
}

func auditKey(device string, seq uint64) []byte {
	k := append([]byte(device), '/')
	return binary.BigEndian.AppendUint64(k, seq)
}

// AuditLog lists the audit lines of one device ("" for every device), each device's in its own
// order; limit keeps the newest lines of each device (0: all).
func (s *Store) AuditLog(device string, limit int) ([]AuditLine, error) {
	var out []AuditLine
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bAudit).Cursor()
		var prefix []byte
		if device != "" {
			prefix = []byte(device + "/")
		}
		var dev []AuditLine
		flush := func() {
			if limit > 0 && len(dev) > limit {
				dev = dev[len(dev)-limit:]
			}
			out = append(out, dev...)
			dev = nil
		}
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var l AuditLine
			if err := json.Unmarshal(v, &l); err != nil {
				return fmt.Errorf("audit %q: %w", k, err)
			}
			if len(dev) > 0 && dev[0].Device != l.Device {
				flush()
			}
			dev = append(dev, l)
		}
		flush()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}
