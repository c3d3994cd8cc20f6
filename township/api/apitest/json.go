package apitest

import (
	"bytes"
	"encoding/json"
)

func jsonDecode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}
