package exposition

import (
	"bytes"
	"testing"
	"unsafe"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/config"
)

// within reports whether part lies inside all's memory.
func within(part, all []byte) bool {
	if len(part) == 0 || len(all) == 0 {
		return false
	}
	p, a := uintptr(unsafe.Pointer(unsafe.SliceData(part))), uintptr(unsafe.Pointer(unsafe.SliceData(all)))
	return p >= a && p+uintptr(len(part)) <= a+uintptr(len(all))
}

// TestShare renders each dataset of the generated data alone, as
// ?dataset= serves it, and checks that sharing the whole's lines changes no
// byte of any format or shard, and that the largest family, the provenance
// lines of the dataset, and every data family are then held once.
func TestShare(t *testing.T) {
	snap := snapshots(t)["generated"]
	whole := mustRender(t, collector.Families(snap))
	for _, ds := range snap.Datasets {
		x := mustRender(t, collector.Families(config.Single(ds, nil)))
		var before [][]byte
		for _, f := range []Format{Text, OpenMetrics} {
			for _, s := range []Shard{{}, {Index: 1, Count: 3}} {
				before = append(before, plain(t, x, f, s))
			}
		}
		x.Share(whole)
		n := 0
		for _, f := range []Format{Text, OpenMetrics} {
			for _, s := range []Shard{{}, {Index: 1, Count: 3}} {
				if got := plain(t, x, f, s); !bytes.Equal(got, before[n]) {
					t.Errorf("dataset %s, format %d, shard %v: sharing changed the exposition", ds.ID, f, s)
				}
				n++
			}
		}
		shared, sharedBytes, allBytes := map[string]bool{}, 0, 0
		for _, f := range x.families {
			allBytes += len(f.lines)
			for _, g := range whole.families {
				if within(f.lines, g.lines) && within(unsafeBytes(f.hashes), unsafeBytes(g.hashes)) {
					shared[string(bytes.Fields(f.header)[2])] = true
					sharedBytes += len(f.lines)
				}
			}
		}
		if !shared["socsec_observation_info"] || sharedBytes < allBytes*9/10 {
			t.Errorf("dataset %s: after sharing, %d of %d bytes of lines are held once, want socsec_observation_info and at least 90%%; shared: %v",
				ds.ID, sharedBytes, allBytes, shared)
		}
	}
}

func unsafeBytes(u []uint32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(u))), 4*len(u))
}

func TestRunAt(t *testing.T) {
	all := []byte("b 1\nxa 2\nxa 3\nc 4\n")
	for _, c := range []struct {
		lines string
		want  int
	}{
		{"b 1\n", 0},
		{"xa 2\nxa 3\n", 4},
		{"a 2\n", -1},                       // Inside a line, not at its start.
		{"xa 2\nc 4\n", -1},                 // Not one run.
		{"c 4\n", 14},                       // The last line.
		{"", -1},                            // Nothing to share.
		{"b 1\nxa 2\nxa 3\nc 4\nd 5\n", -1}, // Longer than all.
	} {
		if got := runAt(all, []byte(c.lines)); got != c.want {
			t.Errorf("runAt(%q, %q) = %d, want %d", all, c.lines, got, c.want)
		}
	}
}
