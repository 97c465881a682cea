//go:build !unix

package config

// openNonblock is 0 where the system has no O_NONBLOCK; there the mode is
// checked before opening.
const openNonblock = 0
