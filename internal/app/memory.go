package app

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// steadyGCPercent is GOGC between loads. The data is immutable and scrapes
// make little garbage, so a collection every 8 % of the live heap keeps
// the resident size near the data instead of at twice it, as GOGC=100 would
// let it grow. It is a percentage of the live heap, not a fixed limit: the
// outputs rendered on first use (dataset views, compressed shards) raise the
// live heap after a load, and a fixed limit under it would make the
// collector run without pause.
const steadyGCPercent = 8

// minHeadroom is the least the heap may grow between collections: with
// little data 8 % is a few megabytes, which the garbage of a few
// scrapes fills, and collecting that often costs more than the memory.
const minHeadroom = 16 << 20

// memoryBudget tunes the garbage collector around the work that builds
// data: loads, and the rendering of outputs in the background. While any
// such work runs, the collector runs at GOGC=100 so that it does not mark
// the whole heap for every few megabytes allocated, under a soft limit of
// two and a half times what was held after the last settling (or the live
// heap, when that has grown beyond it), which keeps
// the peak of building a version next to the served one down; the first
// load runs at firstLoadGCPercent. Once all of
// it is done, the garbage goes back to the OS and GOGC drops to
// steadyGCPercent.
type memoryBudget struct {
	mu sync.Mutex
	// busy counts the loads and renderings running.
	busy int
	// base is what the limit while busy scales from: the memory held after
	// the last settling, growing by at most an eighth each time, since a
	// scrape still sending the previous version when a load settles keeps
	// that version in it; but never below the heap found live then, which
	// grows as much as the data does.
	base int64
}

// newMemoryBudget returns nil when GOMEMLIMIT or GOGC is set: the
// operator's settings win.
func newMemoryBudget() *memoryBudget {
	for _, env := range []string{"GOMEMLIMIT", "GOGC"} {
		if _, set := os.LookupEnv(env); set {
			return nil
		}
	}
	return &memoryBudget{}
}

// start marks the beginning of a load or a rendering; every start is
// followed by one settle.
func (m *memoryBudget) start() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.busy++
	if m.busy > 1 {
		return
	}
	if m.base == 0 {
		// The first load has nothing to scale a limit from, and nothing
		// else in memory: it collects less often, for a faster start.
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(firstLoadGCPercent)
		return
	}
	// The live heap may have grown since the last settling (outputs
	// rendered on first use); a limit below it would keep the collector
	// running without pause.
	debug.SetMemoryLimit(max(m.base, heapLive()) * 5 / 2)
	debug.SetGCPercent(100)
}

// firstLoadGCPercent is GOGC while the first load runs: at 1M series it
// makes the start about a tenth faster for a peak a third higher, still
// under half of what a reload may take (docs/benchmarks.md).
const firstLoadGCPercent = 300

// settle marks the end of a load or a rendering. The last one running
// frees the garbage, and the replaced version with it, hands the memory back
// to the OS now rather than when the scavenger gets to it, and returns to
// steady collection.
func (m *memoryBudget) settle() {
	if m == nil {
		debug.FreeOSMemory()
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.busy--; m.busy > 0 {
		return
	}
	debug.FreeOSMemory()
	held, live := heldMemory(), heapLive()
	if m.base == 0 {
		m.base = held
	} else {
		m.base = max(min(held, m.base+m.base/8), live)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	debug.SetGCPercent(gcPercent(live))
}

// gcPercent is the GOGC that lets a heap of live bytes grow by 8 %,
// and by at least minHeadroom, before a collection.
func gcPercent(live int64) int {
	if live <= 0 {
		return 100
	}
	return max(steadyGCPercent, int(minHeadroom*100/live))
}

// heapLive is the heap the last collection found live.
func heapLive() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// heldMemory is the memory the runtime holds from the OS, which the soft
// memory limit is compared with.
func heldMemory() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64())
}
