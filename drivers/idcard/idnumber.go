package idcard

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrIDFormat is an ID number that is not 17 digits and a check character.
	ErrIDFormat = errors.New("ID number is not 18 characters of digits and a final digit or X")
	// ErrIDCheckDigit is an ID number whose last character does not match the first 17.
	ErrIDCheckDigit = errors.New("ID number check digit is wrong")
	// ErrIDBirthDate is an ID number whose digits 7-14 are not a real date.
	ErrIDBirthDate = errors.New("ID number holds no valid birth date")
)

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckMap = "10X98765432"

// CheckDigit computes the ISO 7064 MOD 11-2 check character over the first 17 digits.
func CheckDigit(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, ErrIDFormat
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, ErrIDFormat
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idCheckMap[sum%11], nil
}

// ValidateID checks an 18-character resident ID number: format, check digit and birth date.
// Lower-case x is accepted and reported as wrong format only if the rest is wrong.
func ValidateID(id string) error {
	if len(id) != 18 {
		return fmt.Errorf("%w (%d characters)", ErrIDFormat, len(id))
	}
	want, err := CheckDigit(id[:17])
	if err != nil {
		return err
	}
	last := id[17]
	if last == 'x' {
		last = 'X'
	}
	if last != want {
		return ErrIDCheckDigit
	}
	if _, err := time.Parse("20060102", id[6:14]); err != nil {
		return ErrIDBirthDate
	}
	return nil
}
