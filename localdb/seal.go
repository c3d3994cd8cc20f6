package localdb

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DeviceKeySize is the key file's size: 32 bytes of AES-256 key, 32 bytes of index (HMAC) key.
const DeviceKeySize = 64

// ErrKeyPermissions is a device key file that others than its owner can read.
var ErrKeyPermissions = errors.New("device key file must be readable by its owner only (chmod 600)")

// Sealer encrypts personal data (ID numbers, names, addresses, phones) before it reaches the Bolt
// file, and makes the keyed hashes that let a kiosk find a resident's records by ID number
// without a plaintext index.
type Sealer struct {
	aead  cipher.AEAD
	index []byte
}

// LoadOrCreateKey reads the device key at path, creating it (0600, random) if it does not exist.
// A key readable by group or others is refused, not used.
func LoadOrCreateKey(path string) (*Sealer, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, DeviceKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("device key %s: %w", path, err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("device key %s: %w", path, err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("device key %s: %w", path, err)
		}
		if _, err := f.Write(key); err != nil {
			f.Close()
			return nil, fmt.Errorf("device key %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("device key %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("device key %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("device key %s: %w", path, err)
	} else {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("device key %s: %w", path, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("device key %s (mode %v): %w", path, fi.Mode().Perm(), ErrKeyPermissions)
		}
	}
	return NewSealer(key)
}

// NewSealer makes a sealer from 64 key bytes.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != DeviceKeySize {
		return nil, fmt.Errorf("device key is %d bytes, want %d", len(key), DeviceKeySize)
	}
	block, err := aes.NewCipher(key[:32])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, index: append([]byte(nil), key[32:]...)}, nil
}

// ErrUnseal is sealed data that does not open under this key (another device's, or damaged).
var ErrUnseal = errors.New("sealed data does not open with this device key")

// Seal encrypts plaintext; context (e.g. "case/C1/name") binds it to where it is stored, so a
// sealed value copied to another record does not open there.
func (s *Sealer) Seal(plaintext []byte, context string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // the OS has no randomness: nothing is safe
	}
	return s.aead.Seal(nonce, nonce, plaintext, []byte(context))
}

// Open decrypts what Seal made with the same context.
func (s *Sealer) Open(sealed []byte, context string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrUnseal
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, ErrUnseal
	}
	return out, nil
}

// IDIndex is the keyed hash of an ID number for lookups and one-vote-per-resident checks: equal
// for the same number on this device, useless to anyone without the key.
func (s *Sealer) IDIndex(idNumber string) []byte {
	m := hmac.New(sha256.New, s.index)
	m.Write([]byte("id:" + strings.ToUpper(strings.TrimSpace(idNumber))))
	return m.Sum(nil)
}
