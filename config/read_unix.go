//go:build unix

package config

import "syscall"

// openNonblock makes opening a named pipe return at once rather than wait
// for a writer; reads of regular files do not change.
const openNonblock = syscall.O_NONBLOCK
