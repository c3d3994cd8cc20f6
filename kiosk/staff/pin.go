// Package staff decides who may work at the window: PINs hashed with argon2id, sign-in by staff
// number or by laying one's own ID card, lockout after wrong PINs, sign-out after idle, and the
// one-time code that sets up a hall's first station head. Every step goes into the store's
// append-only audit log. The window's screens only ask it and show the answer.
package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane), about 30 ms on a
// kiosk's CPU; a 6-digit PIN is guarded by the lockout, the hash guards a stolen store file.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// ErrPINFormat is a PIN that is not six digits or is too easy to guess.
var ErrPINFormat = errors.New("a PIN is six digits, not all the same and not a run like 123456")

// CheckPIN says whether pin may be chosen.
func CheckPIN(pin string) error {
	if len(pin) != 6 || strings.Trim(pin, "0123456789") != "" {
		return ErrPINFormat
	}
	same, up, down := true, true, true
	for i := 1; i < 6; i++ {
		same = same && pin[i] == pin[0]
		up = up && pin[i] == pin[i-1]+1
		down = down && pin[i] == pin[i-1]-1
	}
	if same || up || down {
		return ErrPINFormat
	}
	return nil
}

// HashPIN makes the stored form of a PIN: $argon2id$v=19$m=19456,t=2,p=1$salt$hash.
func HashPIN(pin string) (string, error) {
	if err := CheckPIN(pin); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash PIN: %w", err)
	}
	key := argon2.IDKey([]byte(pin), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPIN reports whether pin matches the stored hash, with the parameters stored in it (so
// stronger ones later still verify old hashes).
func VerifyPIN(stored, pin string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 10 || p == 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
