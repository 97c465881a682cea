package exposition

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/socsec-exporter/socsec_exporter/collector"
	"github.com/socsec-exporter/socsec_exporter/internal/dataset"
	"github.com/socsec-exporter/socsec_exporter/internal/testenv"
)

// withTinyBuffers renders with sort key words of wordBits bits and
// compresses in pieces of piece bytes until the test ends, so that small
// data takes the paths that the defaults only take on large datasets: sort
// keys of many words, and a gzip stream of many pieces.
func withTinyBuffers(tb testing.TB, wordBits, piece int) {
	savedBits, savedPiece := keyWordBits, pieceSize
	keyWordBits, pieceSize = wordBits, piece
	tb.Cleanup(func() { keyWordBits, pieceSize = savedBits, savedPiece })
}

// expfmtOf is what expfmt writes in each format for families gathered
// through a pedantic registry, or the registry's error.
func expfmtOf(families []collector.Family) (map[Format][]byte, error) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(familiesCollector(families))
	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	out := map[Format][]byte{}
	for f, format := range formats {
		var buf bytes.Buffer
		enc := expfmt.NewEncoder(&buf, format)
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				return nil, err
			}
		}
		out[f] = buf.Bytes()
	}
	return out, nil
}

// checkMatches fails unless x, plain and gzipped, is byte for byte want in
// both formats, and every shard of two, gzipped, is the same shard plain.
func checkMatches(t *testing.T, x *Exposition, want map[Format][]byte) {
	t.Helper()
	for f, format := range formats {
		got := plain(t, x, f, Shard{})
		if !bytes.Equal(got, want[f]) {
			at := testenv.Mismatch(got, want[f])
			t.Fatalf("%s: rendered output differs from expfmt at byte %d:\n got: %q\nwant: %q", format, at, testenv.Excerpt(got, at), testenv.Excerpt(want[f], at))
		}
		if n := x.Size(f, Shard{}); n != len(want[f]) {
			t.Errorf("%s: Size = %d, want %d", format, n, len(want[f]))
		}
		if unzipped := gunzip(t, gz(t, x, f, Shard{})); !bytes.Equal(unzipped, want[f]) {
			at := testenv.Mismatch(unzipped, want[f])
			t.Fatalf("%s: gzipped output differs from expfmt at byte %d:\n got: %q\nwant: %q", format, at, testenv.Excerpt(unzipped, at), testenv.Excerpt(want[f], at))
		}
		for i := range 2 {
			s := Shard{Index: i, Count: 2}
			if unzipped, p := gunzip(t, gz(t, x, f, s)), plain(t, x, f, s); !bytes.Equal(unzipped, p) {
				t.Fatalf("%s: shard %d/2 gzipped differs from plain at byte %d", format, i, testenv.Mismatch(unzipped, p))
			}
		}
	}
}

// fuzzInput reads what a fuzz input describes, byte by byte; past its end
// every byte is 0.
type fuzzInput []byte

func (in *fuzzInput) byte() byte {
	if len(*in) == 0 {
		return 0
	}
	b := (*in)[0]
	*in = (*in)[1:]
	return b
}

// intn returns a number in [0, n).
func (in *fuzzInput) intn(n int) int { return int(in.byte()) % n }

// name returns a name of up to max characters, the first from first and
// the rest from rest.
func (in *fuzzInput) name(max int, first, rest string) string {
	n := 1 + in.intn(max)
	b := []byte{first[in.intn(len(first))]}
	for range n - 1 {
		b = append(b, rest[in.intn(len(rest))])
	}
	return string(b)
}

// pieces are what text is made of: mostly the characters that need escaping
// or decide the order, and a few letters so that values share prefixes.
var pieces = []string{`\`, "\n", `"`, "\x00", "\x01", "中", "é", "\u2028", "\t", " ", "{", "}", "=", ",", "a", "b"}

// text returns a valid UTF-8 string of up to max pieces; a piece may also be
// a raw byte, and invalid sequences become U+FFFD.
func (in *fuzzInput) text(max int) string {
	var b strings.Builder
	for range in.intn(max + 1) {
		c := in.byte()
		if c >= 0xf0 {
			b.WriteByte(in.byte())
			continue
		}
		b.WriteString(pieces[int(c)%len(pieces)])
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

// interesting are values whose formatting differs between the formats or
// that sit at the edges of strconv's choices.
var interesting = []float64{0, 1, -1, math.Copysign(0, -1), 0.5, -42, 2, 10, 100, 123456, 1e6, 1e15, 1e16, 1e20, 1e21, 1e22, -1e21,
	1 << 53, 1<<53 + 2, 0.1, 1.0 / 3, 1e-4, 1e-5, 1e-300, 5e-324, math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 2026, 0.932}

// value returns a finite value: an interesting one, a small integer or an
// arbitrary float64.
func (in *fuzzInput) value() float64 {
	switch c := in.byte(); {
	case c < 128:
		return interesting[int(c)%len(interesting)]
	case c < 192:
		return float64(int(c) - 160)
	}
	var bits [8]byte
	for i := range bits {
		bits[i] = in.byte()
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(bits[:]))
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = float64(int64(binary.LittleEndian.Uint64(bits[:])))
	}
	return v
}

// fuzzSeries is one series a fuzz input describes.
type fuzzSeries struct {
	value  float64
	labels []string
}

// families builds families from the input: valid, distinct family names;
// valid, distinct, unreserved label names; any text in help and label
// values; finite values; possibly no series. Unless keepDuplicates, a series
// whose labels an earlier series of the family has is left out; otherwise it
// stays, and duplicated names the families that then have one twice.
func (in *fuzzInput) families() (families []collector.Family, duplicated []string) {
	keepDuplicates := in.byte()&1 == 1
	names := map[string]bool{}
	for i := range in.intn(5) {
		// The name alphabet has no f, so the suffix makes a repeated name unique.
		name := in.name(6, "abcXY_:", "abcXY_:0189")
		if names[name] {
			name += "_f" + strconv.Itoa(i)
		}
		names[name] = true
		help := in.text(8)
		var labels []string
		for j := range in.intn(5) {
			// The alphabet has no l and cannot spell job or instance; a name
			// starting with __ or repeated becomes l<index>.
			l := in.name(4, "abX_", "ab_0")
			if strings.HasPrefix(l, "__") || slices.Contains(labels, l) {
				l = "l" + strconv.Itoa(j)
			}
			labels = append(labels, l)
		}
		var series []fuzzSeries
		seen := map[string]bool{}
		dup := false
		for range in.intn(33) {
			s := fuzzSeries{value: in.value()}
			for range labels {
				s.labels = append(s.labels, in.text(4))
			}
			key := fmt.Sprintf("%q", s.labels)
			if seen[key] {
				if !keepDuplicates {
					continue
				}
				dup = true
			}
			seen[key] = true
			series = append(series, s)
		}
		if dup {
			duplicated = append(duplicated, name)
		}
		families = append(families, collector.Family{Name: name, Help: help, Labels: labels,
			Series: func(emit func(float64, ...string)) {
				for _, s := range series {
					emit(s.value, s.labels...)
				}
			}})
	}
	return families, duplicated
}

// seedFamily is a family for encodeSeed.
type seedFamily struct {
	name, help string
	labels     []string
	series     []fuzzSeries
}

// encodeSeed returns the fuzz input that describes these families, as
// fuzzInput reads it. Text is made of pieces, or raw bytes where there is
// no piece; names must be spelt from the alphabets families uses.
func encodeSeed(wordBits, piece int, keepDuplicates bool, fams ...seedFamily) []byte {
	b := []byte{byte(wordBits - 1), byte(piece - 16), 0, byte(len(fams))}
	if keepDuplicates {
		b[2] = 1
	}
	name := func(s, first, rest string) {
		b = append(b, byte(len(s)-1), byte(strings.IndexByte(first, s[0])))
		for i := 1; i < len(s); i++ {
			b = append(b, byte(strings.IndexByte(rest, s[i])))
		}
	}
	text := func(s string) {
		at := len(b)
		b = append(b, 0)
		for s != "" {
			if i := slices.IndexFunc(pieces, func(p string) bool { return strings.HasPrefix(s, p) }); i >= 0 {
				b = append(b, byte(i))
				s = s[len(pieces[i]):]
			} else {
				b = append(b, 0xf0, s[0])
				s = s[1:]
			}
			b[at]++
		}
	}
	for _, f := range fams {
		name(f.name, "abcXY_:", "abcXY_:0189")
		text(f.help)
		b = append(b, byte(len(f.labels)))
		for _, l := range f.labels {
			name(l, "abX_", "ab_0")
		}
		b = append(b, byte(len(f.series)))
		for _, s := range f.series {
			if i := slices.Index(interesting, s.value); i >= 0 && math.Signbit(s.value) == math.Signbit(interesting[i]) {
				b = append(b, byte(i))
			} else {
				b = append(b, 0xff)
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.value))
			}
			for _, v := range s.labels {
				text(v)
			}
		}
	}
	return b
}

// maxFuzzInput is the longest input FuzzRender tries.
const maxFuzzInput = 2048

// FuzzRender renders random families with tiny sort key words and gzip
// pieces and holds the output, text and OpenMetrics, plain and gzipped, to what expfmt
// writes for the same families gathered through a pedantic registry. When
// a family has the same series twice, Render must refuse it, naming the
// family, as the registry refuses it.
func FuzzRender(f *testing.F) {
	// One P keeps an input's coverage nearly the same from run to run:
	// otherwise the goroutines that render families and compress pieces
	// interleave differently each time, and the fuzzer takes a new
	// interleaving for a new input and spends its time minimizing it. The
	// parallel paths run the same code; TestMatchesExpfmtTinyChunks runs
	// them on all CPUs.
	procs := runtime.GOMAXPROCS(1)
	f.Cleanup(func() { runtime.GOMAXPROCS(procs) })
	f.Add([]byte{})
	// One family without labels and one series.
	f.Add(encodeSeed(1, 16, false, seedFamily{name: "a", help: "One.", series: []fuzzSeries{{value: 1}}}))
	// Values that need escaping and decide the order by a 0x00 or 0x01, in
	// help and label values; values OpenMetrics writes differently.
	f.Add(encodeSeed(2, 30, false, seedFamily{name: "Xa:_1", help: "h\\\n\"中", labels: []string{"b", "a_0", "X"},
		series: []fuzzSeries{
			{1e21, []string{"a\x00", "\"", "\n"}},
			{-1, []string{"a", "\\", "é"}},
			{0, []string{"a\x01", "", " "}},
			{0.5, []string{"a", "\\", "\u2028"}},
			{1 << 53, []string{"ab", "{", "}"}},
			{5e-324, []string{"", "=", ","}},
		}}))
	// The same series twice, kept, beside a family without any.
	f.Add(encodeSeed(1, 16, true,
		seedFamily{name: "b", help: "Twice.", labels: []string{"a"}, series: []fuzzSeries{{2, []string{"x"}}, {3, []string{"a"}}, {2, []string{"a"}}}},
		seedFamily{name: "c", help: "Empty."}))
	// Several families of many series and arbitrary values.
	var many []fuzzSeries
	for i := range 32 {
		v := (float64(i) + 0.25) * math.Pow(10, float64(i*37%61-30))
		if i%2 == 1 {
			v = -v
		}
		many = append(many, fuzzSeries{v, []string{strconv.Itoa(i % 7), strings.Repeat("\\", i%4)}})
	}
	f.Add(encodeSeed(3, 64, false,
		seedFamily{name: "c:a", help: "Many.", labels: []string{"a", "b"}, series: many},
		seedFamily{name: "Y", help: "", labels: []string{"_", "a"}, series: many[:9]},
		seedFamily{name: "ab", help: "Third.", labels: []string{"_0", "X"}, series: many[20:]}))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The fuzzer minimizes every new input in time that grows with the
		// square of its length; two kilobytes already describe families
		// of dozens of series each, so longer inputs are not worth it.
		if len(data) > maxFuzzInput {
			t.Skip()
		}
		in := fuzzInput(data)
		withTinyBuffers(t, 1+in.intn(64), 16+in.intn(49))
		families, duplicated := in.families()
		want, gatherErr := expfmtOf(families)
		x, err := Render(families)
		if len(duplicated) > 0 {
			if err == nil {
				t.Fatalf("Render accepted families %v that have the same series twice", duplicated)
			}
			for _, name := range duplicated {
				if !strings.Contains(err.Error(), "metric family "+name+" has the same series twice: ") {
					t.Errorf("Render's error %q does not name family %s", err, name)
				}
			}
			if gatherErr == nil {
				t.Fatalf("the pedantic registry accepted families %v that have the same series twice", duplicated)
			}
			return
		}
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		if gatherErr != nil {
			t.Fatalf("Render accepted what the pedantic registry refuses: %v", gatherErr)
		}
		checkMatches(t, x, want)
		checkShare(t, x, in.part(families))
	})
}

// part returns some of families, each with every first, second or third
// of its series, as a dataset's own exposition holds part of the whole's.
func (in *fuzzInput) part(families []collector.Family) []collector.Family {
	keep := in.byte()
	var part []collector.Family
	for i, f := range families {
		if keep>>(i%8)&1 == 0 {
			continue
		}
		every, all := 1+in.intn(3), f.Series
		f.Series = func(emit func(float64, ...string)) {
			n := 0
			all(func(v float64, values ...string) {
				if n%every == 0 {
					emit(v, values...)
				}
				n++
			})
		}
		part = append(part, f)
	}
	return part
}

// checkShare renders part and fails unless sharing the lines of whole
// leaves every format and shard of it byte for byte as it was.
func checkShare(t *testing.T, whole *Exposition, part []collector.Family) {
	t.Helper()
	x, err := Render(part)
	if err != nil {
		t.Fatalf("Render of a part of families that rendered: %v", err)
	}
	shards := []Shard{{}, {Index: 0, Count: 2}, {Index: 1, Count: 2}}
	var before [][]byte
	for _, f := range []Format{Text, OpenMetrics} {
		for _, s := range shards {
			before = append(before, plain(t, x, f, s))
		}
	}
	x.Share(whole)
	n := 0
	for _, f := range []Format{Text, OpenMetrics} {
		for _, s := range shards {
			if got := plain(t, x, f, s); !bytes.Equal(got, before[n]) {
				t.Fatalf("format %d, shard %v: sharing changed the part at byte %d:\n got: %q\nwant: %q", f, s, testenv.Mismatch(got, before[n]), got, before[n])
			}
			n++
		}
	}
}

// TestMatchesExpfmtTinyChunks runs the generated snapshot of 20,000 series
// with sort key words of a few bits and gzip pieces of a few dozen bytes, so
// that the paths the default sizes take only on large datasets, sort keys of
// many words and many pieces, run in every test run.
func TestMatchesExpfmtTinyChunks(t *testing.T) {
	snap := snapshots(t)["generated"]
	withTinyBuffers(t, 6, 64)
	x := mustRender(t, collector.Families(snap))
	want := map[Format][]byte{}
	for f, format := range formats {
		want[f] = testenv.Expfmt(t, collector.New(func() *dataset.Snapshot { return snap }), format)
	}
	checkMatches(t, x, want)
}

// TestRenderRefuses holds Render to refusing, with these very messages, what
// would make a scrape invalid or a family something else than it says.
func TestRenderRefuses(t *testing.T) {
	family := func(name string, labels []string, series ...[]string) collector.Family {
		return collector.Family{Name: name, Help: "Help.", Labels: labels, Series: func(emit func(float64, ...string)) {
			for _, values := range series {
				emit(2, values...)
			}
		}}
	}
	for _, tc := range []struct {
		name     string
		families []collector.Family
		want     string
	}{
		{"two families of one name", []collector.Family{
			family("socsec_a", []string{"x"}, []string{"1"}),
			family("socsec_b", nil, []string{}),
			family("socsec_a", []string{"y"}, []string{"2"}),
		}, "metric family socsec_a is defined twice"},
		{"the same series twice", []collector.Family{
			family("socsec_a", []string{"b", "a"}, []string{"1", "2"}, []string{"1", "3"}, []string{"1", "2"}),
		}, `metric family socsec_a has the same series twice: socsec_a{a="2",b="1"} 2`},
		{"the same series twice without labels", []collector.Family{
			family("socsec_a", nil, []string{}, []string{}),
		}, `metric family socsec_a has the same series twice: socsec_a 2`},
		{"a label name twice", []collector.Family{
			family("socsec_a", []string{"a", "b", "a"}, []string{"1", "2", "3"}),
		}, "metric family socsec_a: label a appears twice"},
		{"an invalid metric name", []collector.Family{
			family("socsec-a", nil, []string{}),
		}, `metric family "socsec-a": not a valid metric name`},
		{"a metric name starting with a digit", []collector.Family{
			family("1socsec", nil, []string{}),
		}, `metric family "1socsec": not a valid metric name`},
		{"an invalid label name", []collector.Family{
			family("socsec_a", []string{"a:b"}, []string{"1"}),
		}, `metric family socsec_a: "a:b" is not a valid label name`},
		{"a __ label", []collector.Family{
			family("socsec_a", []string{"__name__"}, []string{"1"}),
		}, "metric family socsec_a: label __name__: names starting with __ are reserved"},
		{"a job label", []collector.Family{
			family("socsec_a", []string{"job"}, []string{"1"}),
		}, "metric family socsec_a: label job collides with the label Prometheus attaches to every target"},
		{"an instance label", []collector.Family{
			family("socsec_a", []string{"region_code", "instance"}, []string{"1", "2"}),
		}, "metric family socsec_a: label instance collides with the label Prometheus attaches to every target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, err := Render(tc.families)
			if err == nil {
				t.Fatalf("Render accepted it: %d series", x.Series())
			}
			if err.Error() != tc.want {
				t.Errorf("Render's error:\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}
