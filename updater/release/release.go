// Package release is what one signed update carries: its version rules (versions only go up, except a
// rollback signed as such, and only from versions the release says it can migrate) and the bundle
// format, one tar.gz per version, so a release is one TUF target whose length and hashes cover all of
// it.
package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/semver"

	"hallkiosk/updater/state"
)

// Info is a release's custom metadata in the signed targets file: the publisher states it, TUF
// signs it, and the device decides by it.
type Info struct {
	Version string `json:"version"`
	// MinFrom is the oldest installed version this release can take over from (its store
	// migrations start there); "" means any.
	MinFrom string `json:"min_from,omitempty"`
	// Rollback marks a release published to replace a newer bad one: the only way down.
	Rollback bool     `json:"rollback,omitempty"`
	Files    []string `json:"files"`
}

// Target is the bundle's name in the repository; it carries the version so a listing reads plainly.
func (i Info) Target() string { return "hallkiosk-" + i.Version + ".tar.gz" }

// Valid reports whether v is a version this product uses: MAJOR.MINOR.PATCH with an optional
// pre-release ("1.4.0", "1.4.1-rc.1"), without a leading v.
func Valid(v string) bool {
	return v != "" && !strings.HasPrefix(v, "v") && semver.IsValid("v"+v) && semver.Canonical("v"+v) == "v"+v
}

// Compare orders versions the semver way (-1, 0, +1); both must be Valid.
func Compare(a, b string) int { return semver.Compare("v"+a, "v"+b) }

// Refusal says why a release may not replace the installed one.
type Refusal struct {
	Installed, Offered string
	Why                string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("release %s may not replace %s: %s", r.Offered, r.Installed, r.Why)
}

// Allowed decides whether offer may replace installed ("" when nothing is installed yet).
func Allowed(installed string, offer Info) error {
	if !Valid(offer.Version) {
		return fmt.Errorf("release version %q is not MAJOR.MINOR.PATCH", offer.Version)
	}
	if installed == "" {
		return nil
	}
	c := Compare(offer.Version, installed)
	switch {
	case c == 0:
		return &Refusal{installed, offer.Version, "it is already installed"}
	case c < 0 && !offer.Rollback:
		return &Refusal{installed, offer.Version, "it is older and not signed as a rollback"}
	case c > 0 && offer.Rollback:
		return &Refusal{installed, offer.Version, "a rollback release must be older than the installed version"}
	}
	if c > 0 && offer.MinFrom != "" && Compare(installed, offer.MinFrom) < 0 {
		return &Refusal{installed, offer.Version, fmt.Sprintf("it updates only from %s or newer; install %s first", offer.MinFrom, offer.MinFrom)}
	}
	return nil
}

// Newest picks the release to install among offers: the highest version Allowed over installed, or
// a signed rollback below it when one is offered (a rollback is published to be taken). ok is false
// when none applies.
func Newest(installed string, offers []Info) (Info, bool) {
	var best Info
	found := false
	for _, o := range offers {
		if Allowed(installed, o) != nil {
			continue
		}
		if o.Rollback {
			// The newest rollback wins over any upgrade: it was published because the upgrade is bad.
			if !found || !best.Rollback || Compare(o.Version, best.Version) > 0 {
				best, found = o, true
			}
			continue
		}
		if !found || (!best.Rollback && Compare(o.Version, best.Version) > 0) {
			best, found = o, true
		}
	}
	return best, found
}

// ignored reports names a release never carries: hidden files and the "._x" resource forks a Mac
// leaves on a stick.
func ignored(name string) bool { return strings.HasPrefix(path.Base(name), ".") }

// Pack makes the bundle of a release folder: every regular file under it (not hidden ones), modes
// kept, in name order so the same folder always gives the same bytes.
func Pack(dir string) ([]byte, []string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "." && ignored(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("pack %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("pack %s: no files", dir)
	}
	sort.Strings(files)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		fi, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("pack %s: %w", p, err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: f, Mode: int64(fi.Mode().Perm()), Size: fi.Size(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return nil, nil, fmt.Errorf("pack %s: %w", p, err)
		}
		in, err := os.Open(p)
		if err != nil {
			return nil, nil, fmt.Errorf("pack %s: %w", p, err)
		}
		_, err = io.Copy(tw, in)
		in.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("pack %s: %w", p, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, nil, fmt.Errorf("pack %s: %w", dir, err)
	}
	if err := gz.Close(); err != nil {
		return nil, nil, fmt.Errorf("pack %s: %w", dir, err)
	}
	return buf.Bytes(), files, nil
}

// Unpack writes a verified bundle into dst (which must not exist), every file and folder fsynced,
// so a power cut after Unpack returns loses none of it. Names that would leave dst are refused.
func Unpack(bundle []byte, dst string) error {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return fmt.Errorf("unpack into %s: %w", dst, err)
	}
	gz, err := gzip.NewReader(bytes.NewReader(bundle))
	if err != nil {
		return fmt.Errorf("unpack into %s: %w", dst, err)
	}
	tr := tar.NewReader(gz)
	dirs := map[string]bool{dst: true}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("unpack into %s: %w", dst, err)
		}
		if h.Typeflag != tar.TypeReg {
			return fmt.Errorf("unpack into %s: %s is not a plain file", dst, h.Name)
		}
		name := path.Clean(h.Name)
		if !fs.ValidPath(name) || name == "." {
			return fmt.Errorf("unpack into %s: bad name %q", dst, h.Name)
		}
		p := filepath.Join(dst, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("unpack into %s: %w", dst, err)
		}
		for d := filepath.Dir(p); !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
		if err := writeSynced(p, tr, os.FileMode(h.Mode).Perm()); err != nil {
			return fmt.Errorf("unpack into %s: %w", dst, err)
		}
	}
	for d := range dirs {
		if err := state.SyncDir(d); err != nil {
			return fmt.Errorf("unpack into %s: %w", dst, err)
		}
	}
	return nil
}

func writeSynced(p string, r io.Reader, mode os.FileMode) error {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", p, err)
	}
	return f.Close()
}

// ParseInfo reads a target's custom metadata.
func ParseInfo(raw []byte) (Info, error) {
	var i Info
	if err := json.Unmarshal(raw, &i); err != nil {
		return Info{}, fmt.Errorf("release metadata: %w", err)
	}
	if !Valid(i.Version) {
		return Info{}, fmt.Errorf("release metadata: version %q is not MAJOR.MINOR.PATCH", i.Version)
	}
	if i.MinFrom != "" && !Valid(i.MinFrom) {
		return Info{}, fmt.Errorf("release metadata: min_from %q is not MAJOR.MINOR.PATCH", i.MinFrom)
	}
	return i, nil
}
