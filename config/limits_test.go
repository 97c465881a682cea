package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// limitsDataset is a dataset whose observations are in the CSV files named.
func limitsDataset(title string, csvFiles ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `id: big
title: %s
sources:
  - id: s1
    title: Report
regions:
  - code: CN
    name: China
    level: country
programs:
  - id: child_welfare
    name: Child welfare
observation_files:
`, title)
	for _, f := range csvFiles {
		fmt.Fprintf(&b, "  - %s\n", f)
	}
	return b.String()
}

// limitsCSV has rows figures of children supported, each of its own year
// and category.
func limitsCSV(rows int, category func(i int) string) string {
	var b strings.Builder
	b.WriteString("indicator,region,program,year,value,category\n")
	for i := range rows {
		fmt.Fprintf(&b, "socsec_children_supported_persons,CN,child_welfare,%d,%d,%s\n", 1900+i%120, i, category(i))
	}
	return b.String()
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadWithin loads within a few seconds, as a limit must stop a load well
// before it takes long or runs the machine out of memory, and returns the
// bytes allocated meanwhile.
func loadWithin(t *testing.T, opts Options) (*Result, uint64, error) {
	t.Helper()
	opts.Now = testNow
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	go func() {
		res, err := Load(opts)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		runtime.ReadMemStats(&after)
		return o.res, after.TotalAlloc - before.TotalAlloc, o.err
	case <-time.After(5 * time.Second):
		t.Fatal("the load did not finish within 5 s: it blocks or reads what it should refuse")
		return nil, 0, nil
	}
}

// TestLimits checks that every limit refuses its input with a message
// naming the file and the limit, stops the load there, and does so quickly
// and without reading what it refuses.
func TestLimits(t *testing.T) {
	const maxAlloc = 32 << 20 // Far below any input refused here for its size.
	category := func(i int) string { return "orphan" }
	for _, tc := range []struct {
		name string
		// setup writes the inputs into dir and returns the options.
		setup func(t *testing.T, dir string) Options
		want  []string // With DIR for the temporary directory.
		// files are the file statuses wanted: OK or not, in order.
		files []bool
		// alloc bounds the bytes the load may allocate; 0 is maxAlloc.
		alloc uint64
	}{
		{
			name: "total bytes over three files",
			setup: func(t *testing.T, dir string) Options {
				rows := limitsCSV(500, category) // About 30 KB each.
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big", "a.csv", "b.csv", "c.csv"), "a.csv": rows, "b.csv": rows, "c.csv": rows})
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}, Limits: Limits{MaxTotalBytes: 80_000}}
			},
			want:  []string{"DIR/d.yaml:16:5: observation_files[2]: DIR/c.csv: file is 33435 bytes: with the 67089 bytes read before it, the load would read 100524 bytes, over the limit of 80000 bytes for all files (--dataset.max-total-bytes): the load stops here"},
			files: []bool{false},
		},
		{
			name: "total bytes stop the files after",
			setup: func(t *testing.T, dir string) Options {
				writeFiles(t, dir, map[string]string{"a.yaml": limitsDataset("A"), "b.yaml": limitsDataset("B"), "c.yaml": limitsDataset("C")})
				return Options{Datasets: []string{dir}, Limits: Limits{MaxTotalBytes: 300}}
			},
			want:  []string{"DIR/b.yaml: file is 187 bytes: with the 187 bytes read before it, the load would read 374 bytes, over the limit of 300 bytes for all files (--dataset.max-total-bytes): the load stops here"},
			files: []bool{true, false, false},
		},
		{
			name: "a file larger than the whole load is never read",
			setup: func(t *testing.T, dir string) Options {
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big", "huge.csv")})
				sparse(t, filepath.Join(dir, "huge.csv"), 1<<30)
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}, Limits: Limits{MaxFileBytes: 2 << 30, MaxTotalBytes: 1 << 20}}
			},
			want:  []string{"DIR/d.yaml:14:5: observation_files[0]: DIR/huge.csv: file is 1073741824 bytes: with the 202 bytes read before it, the load would read 1073742026 bytes, over the limit of 1048576 bytes for all files (--dataset.max-total-bytes): the load stops here"},
			files: []bool{false},
		},
		{
			name: "file bytes",
			setup: func(t *testing.T, dir string) Options {
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big", "a.csv")})
				sparse(t, filepath.Join(dir, "a.csv"), 1<<30)
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}}
			},
			want:  []string{"DIR/d.yaml:14:5: observation_files[0]: DIR/a.csv: file is 1073741824 bytes, over the limit of 134217728 bytes (--dataset.max-file-bytes)"},
			files: []bool{false},
		},
		{
			name: "YAML bytes",
			setup: func(t *testing.T, dir string) Options {
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big")})
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}, Limits: Limits{MaxYAMLBytes: 100}}
			},
			want:  []string{"DIR/d.yaml: file is 189 bytes, over the limit of 100 bytes (--dataset.max-yaml-bytes)"},
			files: []bool{false},
		},
		{
			name: "a named pipe as a dataset",
			setup: func(t *testing.T, dir string) Options {
				fifo(t, filepath.Join(dir, "d.yaml"))
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}}
			},
			want:  []string{"DIR/d.yaml: is a named pipe (FIFO), not a regular file: only regular files are read"},
			files: []bool{false},
		},
		{
			name: "a named pipe in a directory of datasets",
			setup: func(t *testing.T, dir string) Options {
				fifo(t, filepath.Join(dir, "d.yaml"))
				return Options{Datasets: []string{dir}}
			},
			want:  []string{"DIR/d.yaml: is a named pipe (FIFO), not a regular file: only regular files are read"},
			files: []bool{false},
		},
		{
			name: "a named pipe as an observation file",
			setup: func(t *testing.T, dir string) Options {
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big", "obs.csv")})
				fifo(t, filepath.Join(dir, "obs.csv"))
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}}
			},
			want:  []string{"DIR/d.yaml:14:5: observation_files[0]: DIR/obs.csv: is a named pipe (FIFO), not a regular file: only regular files are read"},
			files: []bool{false},
		},
		{
			name: "a named pipe as the config",
			setup: func(t *testing.T, dir string) Options {
				fifo(t, filepath.Join(dir, "c.yml"))
				return Options{ConfigFile: filepath.Join(dir, "c.yml")}
			},
			want: []string{"DIR/c.yml: is a named pipe (FIFO), not a regular file: only regular files are read"},
		},
		{
			name: "/dev/zero as a dataset",
			setup: func(t *testing.T, dir string) Options {
				return Options{Datasets: []string{"/dev/zero"}}
			},
			want:  []string{"/dev/zero: is a character device, not a regular file: only regular files are read"},
			files: []bool{false},
		},
		{
			name: "/dev/zero behind a link as an observation file",
			setup: func(t *testing.T, dir string) Options {
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big", "obs.csv")})
				if err := os.Symlink("/dev/zero", filepath.Join(dir, "obs.csv")); err != nil {
					t.Fatal(err)
				}
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}}
			},
			want:  []string{"DIR/d.yaml:14:5: observation_files[0]: DIR/obs.csv: is a character device, not a regular file: only regular files are read"},
			files: []bool{false},
		},
		{
			name: "series",
			setup: func(t *testing.T, dir string) Options {
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big", "a.csv", "b.csv"), "a.csv": limitsCSV(100, category), "b.csv": limitsCSV(100, category)})
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}, Limits: Limits{MaxSeries: 10}}
			},
			want:  []string{"DIR/a.csv:12:1: over the limit of 10 figures in one load (--dataset.max-series): the load stops here"},
			files: []bool{false},
		},
		{
			name: "distinct values of a dimension",
			setup: func(t *testing.T, dir string) Options {
				many := func(i int) string { return fmt.Sprintf("c%d", i) }
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big", "a.csv"), "a.csv": limitsCSV(100, many)})
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}, Limits: Limits{MaxDimensionValues: 5}}
			},
			want:  []string{`DIR/a.csv:7:59: dimensions.category: dimension "category" has more than 5 distinct values in this load (--dataset.max-dimension-values): a dimension is a short list such as sex or age group; the load stops here`},
			files: []bool{false},
		},
		{
			name: "a label value of 10 MB",
			setup: func(t *testing.T, dir string) Options {
				long := func(i int) string {
					if i == 1 {
						return strings.Repeat("x", 10<<20)
					}
					return "orphan"
				}
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big", "a.csv"), "a.csv": limitsCSV(3, long)})
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}}
			},
			want:  []string{"DIR/a.csv:3:59: dimensions.category: is 10485760 bytes long, over the limit of 2048 bytes for a label value (--dataset.max-label-bytes)"},
			files: []bool{false},
			alloc: 128 << 20, // The file is under the limits and read: a few times its size.
		},
		{
			name: "label values in YAML",
			setup: func(t *testing.T, dir string) Options {
				body := limitsDataset(strings.Repeat("题", 30)) + "colour" + strings.Repeat("r", 60) + ": red\n"
				writeFiles(t, dir, map[string]string{"d.yaml": body})
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}, Limits: Limits{MaxLabelBytes: 64}}
			},
			want: []string{
				"DIR/d.yaml:14:1: colourrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr…: the key is 66 bytes long, over the limit of 64 bytes for a label value (--dataset.max-label-bytes)",
				"DIR/d.yaml:2:8: title: is 90 bytes long, over the limit of 64 bytes for a label value (--dataset.max-label-bytes)",
			},
			files: []bool{false},
		},
		{
			name: "notes and quotes are not label values",
			setup: func(t *testing.T, dir string) Options {
				rows := "indicator,region,program,year,value,category,quote,note\n" +
					"socsec_children_supported_persons,CN,child_welfare,2020,5,orphan," + strings.Repeat("q", 100) + "," + strings.Repeat("n", 100) + "\n" +
					"socsec_children_supported_persons,CN,child_welfare,2021,5," + strings.Repeat("c", 65) + ",,\n"
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big", "a.csv"), "a.csv": rows})
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}, Limits: Limits{MaxLabelBytes: 64}}
			},
			want:  []string{"DIR/a.csv:3:59: dimensions.category: is 65 bytes long, over the limit of 64 bytes for a label value (--dataset.max-label-bytes)"},
			files: []bool{false},
		},
		{
			name: "quotes and notes of 50 MiB",
			setup: func(t *testing.T, dir string) Options {
				rows := "indicator,region,program,year,value,category,quote,note\n" +
					"socsec_children_supported_persons,CN,child_welfare,2020,5,orphan," + strings.Repeat("q", 50<<20) + ",short\n" +
					"socsec_children_supported_persons,CN,child_welfare,2021,5,orphan,short," + strings.Repeat("n", 4097) + "\n"
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big", "a.csv"), "a.csv": rows})
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}}
			},
			want: []string{
				"DIR/a.csv:2:66: quote: is 52428800 bytes long, over the limit of 4096 bytes for free text (--dataset.max-text-bytes)",
				"DIR/a.csv:3:72: note: is 4097 bytes long, over the limit of 4096 bytes for free text (--dataset.max-text-bytes)",
			},
			files: []bool{false},
			alloc: 512 << 20, // The file is under the limits and read: a few times its size.
		},
		{
			name: "notes in YAML",
			setup: func(t *testing.T, dir string) Options {
				writeFiles(t, dir, map[string]string{"d.yaml": limitsDataset("Big") + "totals:\n  - {indicator: socsec_children_supported_persons, region: CN, program: child_welfare, note: " + strings.Repeat("n", 101) + ", total: {dimensions: {category: all}}, parts: [{dimensions: {category: a}}, {dimensions: {category: b}}]}\n"})
				return Options{Datasets: []string{filepath.Join(dir, "d.yaml")}, Limits: Limits{MaxTextBytes: 100}}
			},
			want:  []string{"DIR/d.yaml:15:94: totals[0].note: is 101 bytes long, over the limit of 100 bytes for free text (--dataset.max-text-bytes)"},
			files: []bool{false},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := tc.setup(t, dir)
			res, alloc, err := loadWithin(t, opts)
			if err == nil {
				t.Fatal("loaded without error")
			}
			got := strings.ReplaceAll(strings.Join(problemLines(t, err), "\n"), dir, "DIR")
			if want := strings.Join(tc.want, "\n"); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
			if tc.alloc == 0 {
				tc.alloc = maxAlloc
			}
			if alloc > tc.alloc {
				t.Errorf("the load allocated %d bytes: it read what it should have refused", alloc)
			}
			if res.Snapshot != nil {
				t.Error("a failed load returned a snapshot")
			}
			var files []bool
			for _, f := range res.Files {
				files = append(files, f.OK)
			}
			if fmt.Sprint(files) != fmt.Sprint(tc.files) {
				t.Errorf("file statuses %v, want %v", files, tc.files)
			}
		})
	}
}

// sparse makes a file of size bytes that takes no room on disk.
func sparse(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// fifo makes a named pipe nobody writes to: reading it would block forever.
func fifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
}

func TestLimitsValidate(t *testing.T) {
	err := Limits{MaxFileBytes: 0, MaxYAMLBytes: 1, MaxTotalBytes: -5, MaxSeries: 1, MaxLabelBytes: 1, MaxDimensionValues: 1, MaxTextBytes: 1}.Validate()
	want := "--dataset.max-file-bytes must be at least 1, got 0 (there is no unlimited setting: give a large value instead)\n" +
		"--dataset.max-total-bytes must be at least 1, got -5 (there is no unlimited setting: give a large value instead)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	defaults, err := Limits{}.withDefaults()
	if err != nil || defaults.Validate() != nil {
		t.Errorf("defaults %+v: %v, %v", defaults, err, defaults.Validate())
	}
	_, err = Load(Options{Limits: Limits{MaxSeries: -1}, Now: testNow})
	if want := "negative limits: --dataset.max-series -1"; err == nil || err.Error() != want || errors.As(err, new(*Error)) {
		t.Errorf("got %v, want %s", err, want)
	}
}
