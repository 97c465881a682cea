package main

import (
	"os"
	"strings"
	"testing"
)

func TestReleaseIsVERSION(t *testing.T) {
	b, err := os.ReadFile("../../VERSION")
	if err != nil {
		t.Fatal(err)
	}
	if v := strings.TrimSpace(string(b)); v != release {
		t.Errorf("release in version.go is %q, VERSION is %q: set them to the same release", release, v)
	}
}
