// Package repo is the publisher's side of signed updates: it keeps the signing keys, makes a TUF
// repository (go-tuf v2's metadata package; v2 has no repository package of its own) and adds
// releases to it. A repository is plain files, served by the township under /v1/updates/ or copied
// to a USB stick: TUF makes the transport untrusted.
//
// Keys: an offline root role with a threshold (several keys, kept apart from the machine that
// publishes), and one online key each for targets, snapshot and timestamp. The root signs only
// which keys the other roles have; losing the online keys is repaired by Rotate, signed by the root.
package repo

import (
	"crypto"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"hallkiosk/updater/release"
	"hallkiosk/updater/state"
)

// Expiry is how long each role's signature holds. The timestamp's is also how long a USB stick
// may circulate before it must be refreshed: a kiosk refuses expired metadata.
type Expiry struct {
	Root, Targets, Snapshot, Timestamp time.Duration
}

// DefaultExpiry: a year for the root (re-signed offline), half a year for the list of releases, and
// 45 days for snapshot and timestamp, long enough for a stick to travel round a township's halls;
// the township re-signs them weekly with Refresh.
var DefaultExpiry = Expiry{Root: 365 * 24 * time.Hour, Targets: 180 * 24 * time.Hour,
	Snapshot: 45 * 24 * time.Hour, Timestamp: 45 * 24 * time.Hour}

// Roles of a repository, in the order keys are made.
var Roles = []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP}

// keyFile is one private key on disk.
type keyFile struct {
	Role    string `json:"role"`
	Private []byte `json:"ed25519_private"`
}

// Key is a loaded signing key.
type Key struct {
	Role string
	File string
	Priv ed25519.PrivateKey
}

func (k Key) public() (*metadata.Key, error) { return metadata.KeyFromPublicKey(k.Priv.Public()) }

// id is the key's TUF key id.
func (k Key) id() (string, error) {
	pub, err := k.public()
	if err != nil {
		return "", err
	}
	return pub.ID()
}

// GenerateKeys makes rootKeys root keys and one key for each online role in dir (0700, each file
// 0600). It refuses a folder that already holds keys.
func GenerateKeys(dir string, rootKeys int) error {
	if rootKeys < 1 {
		return fmt.Errorf("generate keys: at least one root key")
	}
	if have, _ := LoadKeys(dir); len(have) > 0 {
		return fmt.Errorf("generate keys: %s already holds keys", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("generate keys: %w", err)
	}
	for _, role := range Roles {
		n := 1
		if role == metadata.ROOT {
			n = rootKeys
		}
		for i := 0; i < n; i++ {
			if _, err := newKey(dir, role); err != nil {
				return err
			}
		}
	}
	return nil
}

func newKey(dir, role string) (Key, error) {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return Key{}, fmt.Errorf("generate %s key: %w", role, err)
	}
	for i := 1; ; i++ {
		p := filepath.Join(dir, fmt.Sprintf("%s-%d.key.json", role, i))
		if _, err := os.Stat(p); err == nil {
			continue
		}
		raw, _ := json.Marshal(keyFile{Role: role, Private: priv})
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			return Key{}, fmt.Errorf("write %s key: %w", role, err)
		}
		return Key{Role: role, File: p, Priv: priv}, nil
	}
}

// LoadKeys reads every key file in dir ("*.key.json"); revoked keys (renamed *.revoked) are not
// read.
func LoadKeys(dir string) ([]Key, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.key.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var keys []Key
	for _, p := range names {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read key %s: %w", p, err)
		}
		var kf keyFile
		if err := json.Unmarshal(raw, &kf); err != nil || len(kf.Private) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("read key %s: not an ed25519 key file", p)
		}
		keys = append(keys, Key{Role: kf.Role, File: p, Priv: ed25519.PrivateKey(kf.Private)})
	}
	return keys, nil
}

func keysOf(keys []Key, role string) []Key {
	var out []Key
	for _, k := range keys {
		if k.Role == role {
			out = append(out, k)
		}
	}
	return out
}

// signSave signs md with every key of role that one of roots lists for it, checks that each of roots
// got its threshold of signatures (a rotated root needs the old root's and its own), and writes it
// to name in the repository.
func signSave[T metadata.Roles](r *Repo, md *metadata.Metadata[T], role, name string, roots ...*metadata.RootType) error {
	md.ClearSignatures()
	signed := map[string]bool{}
	for _, k := range keysOf(r.Keys, role) {
		id, err := k.id()
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(roots, func(rt *metadata.RootType) bool { return slices.Contains(rt.Roles[role].KeyIDs, id) }) {
			continue
		}
		s, err := signature.LoadSigner(k.Priv, crypto.Hash(0))
		if err != nil {
			return fmt.Errorf("sign %s: %w", role, err)
		}
		if _, err := md.Sign(s); err != nil {
			return fmt.Errorf("sign %s: %w", role, err)
		}
		signed[id] = true
	}
	for _, rt := range roots {
		n := 0
		for _, id := range rt.Roles[role].KeyIDs {
			if signed[id] {
				n++
			}
		}
		if need := rt.Roles[role].Threshold; n < need {
			return fmt.Errorf("sign %s: %d of the %d keys that root version %d needs are here", role, n, need, rt.Version)
		}
	}
	raw, err := md.ToBytes(role == metadata.ROOT)
	if err != nil {
		return err
	}
	return state.WriteFile(filepath.Join(r.Dir, name), raw)
}

func rootName(version int64) string { return fmt.Sprintf("%d.root.json", version) }

// Repo is a repository folder being changed by the publisher.
type Repo struct {
	Dir       string
	Keys      []Key
	Expiry    Expiry
	Now       func() time.Time
	root      *metadata.Metadata[metadata.RootType]
	targets   *metadata.Metadata[metadata.TargetsType]
	snapshot  *metadata.Metadata[metadata.SnapshotType]
	timestamp *metadata.Metadata[metadata.TimestampType]
}

func (r *Repo) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// TargetsDir is where bundles live inside a repository.
const TargetsDir = "targets"

// Init makes a new repository in dir with the keys in keyDir: root version 1 listing every root key
// with the given threshold, and empty targets.
func Init(dir, keyDir string, threshold int, exp Expiry, now func() time.Time) (*Repo, error) {
	keys, err := LoadKeys(keyDir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "1.root.json")); err == nil {
		return nil, fmt.Errorf("init repository %s: it already has a root", dir)
	}
	r := &Repo{Dir: dir, Keys: keys, Expiry: exp, Now: now}
	roots := keysOf(keys, metadata.ROOT)
	if threshold < 1 || threshold > len(roots) {
		return nil, fmt.Errorf("init repository %s: threshold %d needs between 1 and the %d root keys", dir, threshold, len(roots))
	}
	r.root = metadata.Root(r.now().Add(exp.Root))
	for _, role := range Roles {
		ks := keysOf(keys, role)
		if len(ks) == 0 {
			return nil, fmt.Errorf("init repository %s: no %s key in %s", dir, role, keyDir)
		}
		for _, k := range ks {
			pub, err := k.public()
			if err != nil {
				return nil, err
			}
			if err := r.root.Signed.AddKey(pub, role); err != nil {
				return nil, fmt.Errorf("init repository %s: %w", dir, err)
			}
		}
	}
	r.root.Signed.Roles[metadata.ROOT].Threshold = threshold
	if err := os.MkdirAll(filepath.Join(dir, TargetsDir), 0o755); err != nil {
		return nil, fmt.Errorf("init repository %s: %w", dir, err)
	}
	r.targets = metadata.Targets(r.now().Add(exp.Targets))
	r.snapshot = metadata.Snapshot(r.now().Add(exp.Snapshot))
	r.timestamp = metadata.Timestamp(r.now().Add(exp.Timestamp))
	if err := signSave(r, r.root, metadata.ROOT, rootName(1), &r.root.Signed); err != nil {
		return nil, err
	}
	return r, r.writeTop(false)
}

// Open loads the newest metadata of an existing repository.
func Open(dir, keyDir string, exp Expiry, now func() time.Time) (*Repo, error) {
	keys, err := LoadKeys(keyDir)
	if err != nil {
		return nil, err
	}
	r := &Repo{Dir: dir, Keys: keys, Expiry: exp, Now: now}
	n, err := newestRoot(dir)
	if err != nil {
		return nil, err
	}
	if r.root, err = metadata.Root().FromFile(filepath.Join(dir, rootName(int64(n)))); err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	if r.timestamp, err = metadata.Timestamp().FromFile(filepath.Join(dir, "timestamp.json")); err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	sv := r.timestamp.Signed.Meta["snapshot.json"].Version
	if r.snapshot, err = metadata.Snapshot().FromFile(filepath.Join(dir, fmt.Sprintf("%d.snapshot.json", sv))); err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	tv := r.snapshot.Signed.Meta["targets.json"].Version
	if r.targets, err = metadata.Targets().FromFile(filepath.Join(dir, fmt.Sprintf("%d.targets.json", tv))); err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	return r, nil
}

func newestRoot(dir string) (int, error) {
	names, _ := filepath.Glob(filepath.Join(dir, "*.root.json"))
	best := 0
	for _, p := range names {
		n, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(p), ".root.json"))
		if err == nil && n > best {
			best = n
		}
	}
	if best == 0 {
		return 0, fmt.Errorf("open repository %s: no N.root.json (make one with init)", dir)
	}
	return best, nil
}

// Root is the newest root metadata's bytes: what a kiosk is shipped with as its first trust.
func (r *Repo) Root() ([]byte, error) { return r.root.ToBytes(true) }

// Publish adds the release folder dir as version info.Version: it packs the folder, stores the
// bundle under its hash, and signs new targets, snapshot and timestamp. A version already published
// is refused (publish a higher one).
func (r *Repo) Publish(dir string, info release.Info) (release.Info, error) {
	if !release.Valid(info.Version) {
		return info, fmt.Errorf("publish: version %q is not MAJOR.MINOR.PATCH", info.Version)
	}
	if info.MinFrom != "" && !release.Valid(info.MinFrom) {
		return info, fmt.Errorf("publish: min-from %q is not MAJOR.MINOR.PATCH", info.MinFrom)
	}
	name := info.Target()
	if _, ok := r.targets.Signed.Targets[name]; ok {
		return info, fmt.Errorf("publish: %s is already published; give the release a higher version", info.Version)
	}
	bundle, files, err := release.Pack(dir)
	if err != nil {
		return info, fmt.Errorf("publish: %w", err)
	}
	info.Files = files
	tf, err := metadata.TargetFile().FromBytes(name, bundle, "sha256")
	if err != nil {
		return info, fmt.Errorf("publish: %w", err)
	}
	raw, _ := json.Marshal(info)
	custom := json.RawMessage(raw)
	tf.Custom = &custom
	p := filepath.Join(r.Dir, TargetsDir, hex.EncodeToString(tf.Hashes["sha256"])+"."+name)
	if err := state.WriteFile(p, bundle); err != nil {
		return info, fmt.Errorf("publish: %w", err)
	}
	r.targets.Signed.Targets[name] = tf
	return info, r.writeTop(true)
}

// Refresh re-signs snapshot and timestamp with fresh expiry (the township's weekly job, and before
// copying a repository to a stick).
func (r *Repo) Refresh() error { return r.writeTop(true) }

// Rotate replaces the keys of role with new ones (as many as before) and signs a new root version
// with the old root's keys and, for the root role, the new ones as well (a client checks both
// thresholds). The old key files are renamed *.revoked, and the role's metadata is re-signed with
// its new keys.
func (r *Repo) Rotate(keyDir, role string) error {
	oldRaw, err := r.root.ToBytes(false)
	if err != nil {
		return err
	}
	oldRoot, err := metadata.Root().FromBytes(oldRaw) // a deep copy: RevokeKey changes shared maps
	if err != nil {
		return err
	}
	ids := append([]string(nil), r.root.Signed.Roles[role].KeyIDs...)
	if len(ids) == 0 {
		return fmt.Errorf("rotate %s: the root lists no keys for it", role)
	}
	old := keysOf(r.Keys, role)
	for range ids {
		k, err := newKey(keyDir, role)
		if err != nil {
			return err
		}
		pub, err := k.public()
		if err != nil {
			return err
		}
		if err := r.root.Signed.AddKey(pub, role); err != nil {
			return fmt.Errorf("rotate %s: %w", role, err)
		}
		r.Keys = append(r.Keys, k)
	}
	for _, id := range ids {
		if err := r.root.Signed.RevokeKey(id, role); err != nil {
			return fmt.Errorf("rotate %s: %w", role, err)
		}
	}
	r.root.Signed.Version++
	r.root.Signed.Expires = r.now().Add(r.Expiry.Root)
	if err := signSave(r, r.root, metadata.ROOT, rootName(r.root.Signed.Version), &oldRoot.Signed, &r.root.Signed); err != nil {
		return fmt.Errorf("rotate %s (are the root keys in %s?): %w", role, keyDir, err)
	}
	for _, k := range old {
		if err := os.Rename(k.File, strings.TrimSuffix(k.File, ".key.json")+".revoked"); err != nil {
			return fmt.Errorf("rotate %s: retire %s: %w", role, k.File, err)
		}
	}
	r.Keys = slices.DeleteFunc(r.Keys, func(k Key) bool {
		return slices.ContainsFunc(old, func(o Key) bool { return o.File == k.File })
	})
	return r.writeTop(true)
}

// writeTop signs and writes targets, snapshot and timestamp, each as a new version (bump false:
// the first versions, at Init); the timestamp last, so a reader never sees a timestamp naming a
// snapshot not yet written.
func (r *Repo) writeTop(bump bool) error {
	now := r.now()
	if bump {
		r.targets.Signed.Version++
		r.snapshot.Signed.Version++
		r.timestamp.Signed.Version++
	}
	root := &r.root.Signed
	r.targets.Signed.Expires = now.Add(r.Expiry.Targets)
	if err := signSave(r, r.targets, metadata.TARGETS, fmt.Sprintf("%d.targets.json", r.targets.Signed.Version), root); err != nil {
		return err
	}
	r.snapshot.Signed.Meta["targets.json"] = metadata.MetaFile(r.targets.Signed.Version)
	r.snapshot.Signed.Expires = now.Add(r.Expiry.Snapshot)
	if err := signSave(r, r.snapshot, metadata.SNAPSHOT, fmt.Sprintf("%d.snapshot.json", r.snapshot.Signed.Version), root); err != nil {
		return err
	}
	r.timestamp.Signed.Meta["snapshot.json"] = metadata.MetaFile(r.snapshot.Signed.Version)
	r.timestamp.Signed.Expires = now.Add(r.Expiry.Timestamp)
	return signSave(r, r.timestamp, metadata.TIMESTAMP, "timestamp.json", root)
}
