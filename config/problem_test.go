package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
)

// TestErrorSummary proves that a summary shows each problem once, at most
// the given number per file in the order found with a count of the rest,
// cuts long fields and messages, and keeps every problem on one line.
func TestErrorSummary(t *testing.T) {
	at := func(file string, line int) dataset.Position {
		return dataset.Position{File: file, Line: line, Column: 1}
	}
	long := "root:x:0:0:root:/root:/bin/bash\n" + strings.Repeat("daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", 1000) + "TAIL"
	var e Error
	e.Problems = append(e.Problems, Problem{Pos: at("a.csv", 1), Field: long, Message: "unknown column"})
	e.Problems = append(e.Problems, Problem{Pos: at("a.csv", 1), Field: long, Message: "unknown column"}) // The same again.
	for i := range 25 {
		e.Problems = append(e.Problems, Problem{Pos: at("a.csv", i+2), Field: "value", Message: fmt.Sprintf("must be a number, got %q", strings.Repeat("9", 1000))})
	}
	e.Problems = append(e.Problems, Problem{Pos: at("b.yaml", 3), Field: "id", Message: "missing"})
	got := e.Summary(5)
	lines := strings.Split(got, "\n")
	want := []string{
		`a.csv:1:1: ` + clip(long, summaryFieldRunes) + `: unknown column`,
		`a.csv:2:1: value: must be a number, got "` + strings.Repeat("9", summaryMessageRunes-len(`must be a number, got "`)) + `…`,
		"", "", "",
		"a.csv: 21 more problem(s) not shown (socsec_exporter check lists them all)",
		"b.yaml:3:1: id: missing",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), got)
	}
	for i, w := range want {
		if w != "" && lines[i] != w {
			t.Errorf("line %d:\n got %q\nwant %q", i, lines[i], w)
		}
	}
	if strings.Contains(got, "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\\ndaemon") || strings.Contains(got, "TAIL") {
		t.Errorf("the summary holds more of the file than the start of the offending field:\n%s", got)
	}
	if !strings.HasPrefix(lines[0], `a.csv:1:1: root:x:0:0:root:/root:/bin/bash\ndaemon`) {
		t.Errorf("the newline in the field is not escaped: %q", lines[0])
	}
	if all := e.Summary(0); strings.Count(all, "\n")+1 != len(e.Problems)-1 {
		t.Errorf("Summary(0) shows %d lines, want every distinct problem (%d)", strings.Count(all, "\n")+1, len(e.Problems)-1)
	}
}
