package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReadVersionsNamesTheFirstMissingKey checks that a versions file that
// lacks the versions of several programs is refused naming the same key
// each time, that of the first program by name, not of the first in a map's
// order.
func TestReadVersionsNamesTheFirstMissingKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "versions.env")
	if err := os.WriteFile(path, []byte("# No version of any program built from its module.\nOTHER_VERSION=1.0.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := path + ": no ALERTMANAGER_VERSION"
	// Maps are iterated in a new order each time: a key chosen in a map's
	// order would be another sooner or later.
	for range 20 {
		_, err := readVersions(path)
		if err == nil || err.Error() != want {
			t.Fatalf("readVersions of a file without the programs' versions: error %v, want %q", err, want)
		}
	}
}
