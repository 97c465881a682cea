package config

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// fileSystem is where files are read from: the OS, or the embedded default.
type fileSystem interface {
	fs.ReadDirFS
	// name is how a path is shown in messages and labels.
	name(path string) string
}

type osFS struct{}

// Open opens without blocking: a named pipe put where a file is expected
// must never hang a load, and is refused once open (see loader.read).
func (osFS) Open(path string) (fs.File, error)          { return os.OpenFile(path, os.O_RDONLY|openNonblock, 0) }
func (osFS) Stat(path string) (fs.FileInfo, error)      { return os.Stat(path) }
func (osFS) ReadDir(path string) ([]fs.DirEntry, error) { return os.ReadDir(path) }
func (osFS) name(path string) string                    { return escapeInvalidUTF8(path) }

// escapeInvalidUTF8 shows each byte of s that is not part of valid UTF-8 as
// \xNN: a path is served as a label value, which must be valid UTF-8, and
// file systems allow any bytes in names (a Latin-1 name, say).
func escapeInvalidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

type embeddedFS struct{ fs.ReadDirFS }

func (embeddedFS) name(path string) string { return "embedded:" + path }

// fileKind is what a file is read as; YAML has a limit of its own.
type fileKind int

const (
	yamlFile fileKind = iota
	csvFile
)

// read reads a whole file within the limits of the load. Only regular files
// are read: a named pipe, a device such as /dev/zero or a socket is refused
// before a byte is read, and so is a file whose size is over a limit. A file
// that would take the load over --dataset.max-total-bytes stops the load.
func (ld *loader) read(fsys fileSystem, path string, kind fileKind) ([]byte, error) {
	// Stat before opening, which may block on a named pipe where the
	// system does not know O_NONBLOCK, then again once open, in case the
	// path was replaced in between.
	info, err := fs.Stat(fsys, path)
	if err != nil {
		return nil, err
	}
	if err := regular(info); err != nil {
		return nil, err
	}
	f, err := fsys.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regular(info); err != nil {
		return nil, err
	}
	limit, flag := ld.opts.MaxFileBytes, "--dataset.max-file-bytes"
	if kind == yamlFile && ld.opts.MaxYAMLBytes < limit {
		limit, flag = ld.opts.MaxYAMLBytes, "--dataset.max-yaml-bytes"
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("file is %d bytes, over the limit of %d bytes (%s)", info.Size(), limit, flag)
	}
	left := ld.opts.MaxTotalBytes - ld.state.bytes
	if info.Size() > left {
		ld.state.stopped = true
		return nil, ld.overTotal(info.Size())
	}
	// The file may grow between Stat and Read: read at most one byte past
	// either limit. Sizing the buffer from Stat reads a file of hundreds of
	// megabytes without growing, and so copying, the buffer on the way.
	buf := bytes.NewBuffer(make([]byte, 0, info.Size()+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(f, min(limit, left)+1))
	ld.state.bytes += int64(buf.Len())
	switch {
	case err != nil:
		return nil, err
	case int64(buf.Len()) > limit:
		return nil, fmt.Errorf("file grew over the limit of %d bytes (%s) while being read", limit, flag)
	case ld.state.bytes > ld.opts.MaxTotalBytes:
		ld.state.stopped = true
		return nil, fmt.Errorf("file grew while being read, taking the load over the limit of %d bytes for all files (--dataset.max-total-bytes): the load stops here", ld.opts.MaxTotalBytes)
	}
	return buf.Bytes(), nil
}

func (ld *loader) overTotal(size int64) error {
	return fmt.Errorf("file is %d bytes: with the %d bytes read before it, the load would read %d bytes, over the limit of %d bytes for all files (--dataset.max-total-bytes): the load stops here",
		size, ld.state.bytes, ld.state.bytes+size, ld.opts.MaxTotalBytes)
}

// regular refuses anything but a regular file: reading a named pipe blocks,
// and a device such as /dev/zero never ends.
func regular(info fs.FileInfo) error {
	m := info.Mode()
	var what string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return fmt.Errorf("is a directory")
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		what = "a character device"
	case m&fs.ModeDevice != 0:
		what = "a device"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	default:
		return fmt.Errorf("is not a regular file (mode %s): only regular files are read", m)
	}
	return fmt.Errorf("is %s, not a regular file: only regular files are read", what)
}

// validUTF8 records a problem at the first invalid byte, if any.
func validUTF8(file string, data []byte, ps *problems) bool {
	if utf8.Valid(data) {
		return true
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	ps.errorf(dataset.Position{File: file, Line: line, Column: col}, "", "invalid UTF-8")
	return false
}
