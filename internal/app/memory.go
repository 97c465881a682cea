package app

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// memoryBudget sets the runtime's soft memory limit around loads. Between
// loads the data is immutable and scrapes only make small garbage, yet with
// GOGC=100 the heap may grow to twice the data before a collection, so the
// limit holds it at the data plus a little. While a load builds the next
// version next to the served one, the limit is raised to two and a half times
// that, so that collections keep the peak down without running all the time.
type memoryBudget struct {
	// steady is what the runtime held after the last load, garbage freed.
	steady int64
	// base is what a load's limit scales from: steady, but growing by at
	// most an eighth per load, since a scrape still sending the previous
	// version when the load settles keeps that version in steady.
	base int64
}

// newMemoryBudget returns nil when GOMEMLIMIT is set: the operator's limit wins.
func newMemoryBudget() *memoryBudget {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return nil
	}
	return &memoryBudget{}
}

// loading lifts the limit for building a new version; before the first
// load there is nothing to scale it from, so there is none.
func (m *memoryBudget) loading() {
	if m == nil {
		return
	}
	limit := int64(math.MaxInt64)
	if m.base > 0 {
		limit = m.base * 5 / 2
	}
	debug.SetMemoryLimit(limit)
}

// settle frees the garbage of a load, and the previous version with it, and
// hands the memory back to the OS now rather than when the scavenger gets
// to it; then it limits the memory to what is left plus an eighth.
func (m *memoryBudget) settle() {
	debug.FreeOSMemory()
	if m == nil {
		return
	}
	m.steady = heldMemory()
	if m.base == 0 {
		m.base = m.steady
	} else {
		m.base = min(m.steady, m.base+m.base/8)
	}
	debug.SetMemoryLimit(m.steady + max(m.steady/8, 16<<20))
}

// heldMemory is the memory the runtime holds from the OS, which the soft
// memory limit is compared with.
func heldMemory() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64())
}
