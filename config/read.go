package config

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"unicode/utf8"

	"github.com/socsec-exporter/socsec_exporter/dataset"
)

// DefaultMaxFileBytes bounds the size of one config, dataset or CSV file.
const DefaultMaxFileBytes = 512 << 20

// fileSystem is where files are read from: the OS, or the embedded default.
type fileSystem interface {
	fs.ReadDirFS
	// name is how a path is shown in messages and labels.
	name(path string) string
}

type osFS struct{}

func (osFS) Open(path string) (fs.File, error)          { return os.Open(path) }
func (osFS) ReadDir(path string) ([]fs.DirEntry, error) { return os.ReadDir(path) }
func (osFS) name(path string) string                    { return path }

type embeddedFS struct{ fs.ReadDirFS }

func (embeddedFS) name(path string) string { return "embedded:" + path }

// readFile reads a whole file, refusing it before reading when it is larger
// than limit, so that an oversized dataset never reaches memory.
func readFile(fsys fileSystem, path string, limit int64) ([]byte, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, fmt.Errorf("is a directory")
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("file is %d bytes, over the limit of %d bytes (--dataset.max-file-bytes)", info.Size(), limit)
	}
	// The file may grow between Stat and Read: read at most one byte past
	// the limit. Sizing the buffer from Stat reads a file of hundreds of
	// megabytes without growing, and so copying, the buffer on the way.
	buf := bytes.NewBuffer(make([]byte, 0, info.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("file grew over the limit of %d bytes (--dataset.max-file-bytes) while being read", limit)
	}
	return buf.Bytes(), nil
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
