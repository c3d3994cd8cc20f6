package selfservice

import (
	"fmt"
	"reflect"
	"strings"
)

// reachable walks every value reachable from roots (pointers, structs, slices, maps, interfaces;
// unexported fields included) and reports where a string containing a needle sits. Byte slices
// (font data, images) and the store and devices behind the service interfaces are not walked:
// what is in the sealed store is not "in the UI".
func reachable(roots []any, needles []string) []string {
	seen := map[uintptr]bool{}
	var found []string
	var walk func(v reflect.Value, path string, depth int)
	walk = func(v reflect.Value, path string, depth int) {
		if !v.IsValid() || depth > 60 || len(found) > 20 {
			return
		}
		switch v.Kind() {
		case reflect.String:
			s := v.String()
			for _, n := range needles {
				if n != "" && strings.Contains(s, n) {
					found = append(found, fmt.Sprintf("%q at %s", n, path))
				}
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			if skipType(v.Type().Elem()) {
				return
			}
			walk(v.Elem(), path, depth+1)
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), path, depth+1)
			}
		case reflect.Struct:
			if skipType(v.Type()) {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name, depth+1)
			}
		case reflect.Slice, reflect.Array:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				return
			}
			if v.Kind() == reflect.Slice {
				if v.IsNil() || seen[v.Pointer()+1] {
					return
				}
				seen[v.Pointer()+1] = true
			}
			for i := 0; i < min(v.Len(), 5000); i++ {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
			}
		case reflect.Map:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			it := v.MapRange()
			for it.Next() {
				walk(it.Key(), path+"{key}", depth+1)
				walk(it.Value(), fmt.Sprintf("%s{%v}", path, it.Key()), depth+1)
			}
		}
	}
	for _, r := range roots {
		walk(reflect.ValueOf(r), fmt.Sprintf("%T", r), 0)
	}
	return found
}

// skipType leaves out what is not the UI's own memory: the store, the devices, sync primitives.
func skipType(t reflect.Type) bool {
	p := t.PkgPath()
	return strings.HasPrefix(p, "go.etcd.io/bbolt") || p == "hallkiosk/localdb" || p == "hallkiosk/drivers/printer" ||
		p == "hallkiosk/drivers/serialport" || p == "go.bug.st/serial" || p == "sync" || p == "hallkiosk/kiosk/apply" && t.Name() == "Service"
}
