package app

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/socsec-exporter/socsec_exporter/internal/exposition"
	"github.com/socsec-exporter/socsec_exporter/internal/schema"
)

// acceptedFormats are the formats /metrics negotiates, in promhttp's order
// of preference with OpenMetrics enabled, less protobuf, which the data is
// not pre-rendered in.
var acceptedFormats = []expfmt.Format{expfmt.FmtOpenMetrics_1_0_0, expfmt.FmtOpenMetrics_0_0_1, expfmt.FmtText}

// metricsHandler serves /metrics: the pre-rendered data of the current
// version (or of one dataset or shard of it, by query parameters) followed
// by the self-metrics, gathered fresh for every scrape. The response is
// what promhttp would send for a registry holding the data collector and
// the self-metrics, except that the data families come first.
func (e *Exporter) metricsHandler() http.Handler {
	return e.instrument(newRequestLimit(e.opts.MaxRequests).wrap(http.HandlerFunc(e.serveMetrics)))
}

func (e *Exporter) serveMetrics(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	query := r.URL.Query()
	shard, msg := parseShard(query.Get("shard"), query.Get("shards"), e.opts.MaxShards)
	if msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	format := expfmt.NegotiateAccept(r.Header, acceptedFormats...)
	f := exposition.Text
	if format.FormatType() == expfmt.TypeOpenMetrics {
		f = exposition.OpenMetrics
	}
	zipped := acceptsGzip(r.Header.Get("Accept-Encoding"))
	// One load of the pointer: the data and its bytes are one version.
	var x *exposition.Exposition
	var data []byte
	// prepared is the part of the scrape that needed preparing, if any.
	var prepared *part
	if cur := e.current.Load(); cur != nil {
		x = cur.whole
		id := query.Get("dataset")
		if id != "" && cur.datasets[id] == nil {
			http.Error(w, fmt.Sprintf("Unknown dataset %q: see the landing page for the loaded datasets.", id), http.StatusNotFound)
			return
		}
		if id != "" || zipped {
			// A rendering or compression not done yet runs apart from
			// the scrape, which waits for it only so long.
			ready := e.within(r, start, func(ctx context.Context) error {
				if id != "" {
					x = e.renderDataset(cur, id)
				}
				if zipped {
					var err error
					data, err = x.Gzip(ctx, f, shard)
					return err
				}
				return nil
			})
			if !ready {
				stillRendering(w)
				return
			}
			prepared = &part{dataset: id, format: f, shard: shard, gzip: zipped}
		}
	}
	self := e.selfMetrics(format, zipped)
	defer self.release()

	h := w.Header()
	h.Add("Vary", "Accept")
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Type", string(format))
	// The body goes out under write deadlines, so that a client that stops
	// reading frees its place among --web.max-requests.
	out := e.newScrapeWriter(w, r, start)
	defer out.finish()
	var err error
	switch {
	case zipped:
		h.Set("Content-Encoding", "gzip")
		body := exposition.NewGzipBody(data, self.bytes, self.zipped)
		h.Set("Content-Length", strconv.Itoa(body.Len()))
		_, err = body.WriteTo(out)
	case x == nil:
		h.Set("Content-Length", strconv.Itoa(len(self.bytes)))
		_, err = out.Write(self.bytes)
	case f == exposition.Text && shard.Count <= 1:
		h.Set("Content-Length", strconv.Itoa(x.Size(f, shard)+len(self.bytes)))
		if err = x.WritePlain(out, f, shard); err == nil {
			_, err = out.Write(self.bytes)
		}
	default:
		if n := x.Size(f, shard); n >= 0 {
			h.Set("Content-Length", strconv.Itoa(n+len(self.bytes)))
		}
		bw := bufWriters.Get().(*bufio.Writer)
		bw.Reset(out)
		if err = x.WritePlain(bw, f, shard); err == nil {
			_, _ = bw.Write(self.bytes)
			err = bw.Flush()
		}
		bw.Reset(nil)
		bufWriters.Put(bw)
	}
	if err != nil {
		// The client went away, or read too slowly, mid-response; there is
		// no one to tell.
		e.logger.Debug("Sending metrics", "err", err)
		return
	}
	if prepared != nil {
		// Served whole: the next version prepares it too.
		e.views.note(*prepared, e.now())
	}
}

// bufWriters batch the many small writes of OpenMetrics and shards.
var bufWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 256<<10) }}

// parseShard reads ?shard=i&shards=n; both or neither must be given, and
// n at most maxShards (--web.max-shards).
func parseShard(index, count string, maxShards int) (exposition.Shard, string) {
	if index == "" && count == "" {
		return exposition.Shard{}, ""
	}
	i, err1 := strconv.Atoi(index)
	n, err2 := strconv.Atoi(count)
	if err1 != nil || err2 != nil {
		return exposition.Shard{}, "shard and shards must both be given, as integers: ?shard=0&shards=2"
	}
	s := exposition.Shard{Index: i, Count: n}
	if n > maxShards {
		return s, fmt.Sprintf("shards=%d is over the limit of %d shards (--web.max-shards)", n, maxShards)
	}
	return s, s.Validate(maxShards)
}

// selfPart is the encoded self-metrics of one scrape and, for a gzipped
// response, the buffer that holds them compressed.
type selfPart struct {
	buf, zipped *bytes.Buffer
	bytes       []byte
}

var selfBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (p selfPart) release() {
	for _, b := range []*bytes.Buffer{p.buf, p.zipped} {
		if b != nil {
			b.Reset()
			selfBuffers.Put(b)
		}
	}
}

// selfMetrics gathers and encodes the self-metrics in format, with the
// OpenMetrics # EOF that ends the response, and takes a buffer to compress
// them into when zipped. Errors are handled as promhttp's ContinueOnError
// does.
func (e *Exporter) selfMetrics(format expfmt.Format, zipped bool) selfPart {
	p := selfPart{buf: selfBuffers.Get().(*bytes.Buffer)}
	if zipped {
		p.zipped = selfBuffers.Get().(*bytes.Buffer)
	}
	mfs, err := e.registry.Gather()
	if err != nil {
		e.countHandlerError("gathering", "error gathering metrics:", err)
	}
	enc := expfmt.NewEncoder(p.buf, format)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			e.countHandlerError("encoding", "error encoding and sending metric family:", err)
		}
	}
	if closer, ok := enc.(expfmt.Closer); ok {
		// This writes the final "# EOF" of OpenMetrics.
		if err := closer.Close(); err != nil {
			e.countHandlerError("encoding", "error encoding and sending metric family:", err)
		}
	}
	p.bytes = p.buf.Bytes()
	return p
}

func (e *Exporter) countHandlerError(cause, msg string, err error) {
	e.logger.Error("Serving metrics", "err", msg+" "+err.Error())
	if e.handlerErrs != nil {
		e.handlerErrs.WithLabelValues(cause).Inc()
	}
}

// acceptsGzip negotiates the content encoding as promhttp does between
// identity and gzip: the offer with the highest quality wins, identity on
// a tie, and "*" stands for either.
func acceptsGzip(header string) bool {
	best, bestQ := "identity", -1.0
	for _, offer := range []string{"identity", "gzip"} {
		for _, spec := range strings.Split(header, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(spec), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding == "" {
				continue
			}
			q := 1.0
			if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
				if parsed, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = parsed
				}
			}
			if q > bestQ && (coding == "*" || coding == offer) {
				best, bestQ = offer, q
			}
		}
	}
	return best == "gzip" && bestQ != 0
}

// pageMetrics counts the requests of the provenance pages (/figures,
// /figure, /checks, /compare) apart from the scrapes', which promhttp's handler
// metrics count, so that a crawler of the pages is told apart from
// Prometheus: how many are served at once, by status code, and how many
// the pages' own limit refuses.
type pageMetrics struct {
	inFlight prometheus.Gauge
	requests *prometheus.CounterVec
	refused  prometheus.Counter
}

// newPageMetrics returns the pages' counters, at zero for the codes the
// pages answer most, as promhttp starts its own.
func newPageMetrics() *pageMetrics {
	m := &pageMetrics{
		inFlight: prometheus.NewGauge(gaugeOpts(schema.PageRequestsInFlight)),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: schema.PageRequests.Name, Help: schema.PageRequests.Help}, schema.PageRequests.Labels),
		refused:  prometheus.NewCounter(prometheus.CounterOpts{Name: schema.PageRequestsRefused.Name, Help: schema.PageRequestsRefused.Help}),
	}
	for _, code := range []int{http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusServiceUnavailable} {
		m.requests.WithLabelValues(strconv.Itoa(code))
	}
	return m
}

// Describe sends the descriptors of the pages' families.
func (m *pageMetrics) Describe(ch chan<- *prometheus.Desc) {
	m.inFlight.Describe(ch)
	m.requests.Describe(ch)
	m.refused.Describe(ch)
}

// Collect sends the pages' counts.
func (m *pageMetrics) Collect(ch chan<- prometheus.Metric) {
	m.inFlight.Collect(ch)
	m.requests.Collect(ch)
	m.refused.Collect(ch)
}

// wrap serves h under limit and counts its requests: in flight once the
// limit has admitted them, and answered by code, a request the limit
// refuses counted as refused too. The pages' own 503, at the deadline of a
// request, is a 503 but not a refusal.
func (m *pageMetrics) wrap(limit *requestLimit, h http.Handler) http.Handler {
	admitted := limit.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pr, ok := w.(*pageResponse); ok {
			pr.admitted = true
		}
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		h.ServeHTTP(w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr := &pageResponse{ResponseWriter: w, code: http.StatusOK}
		admitted.ServeHTTP(pr, r)
		if !pr.admitted {
			m.refused.Inc()
		}
		m.requests.WithLabelValues(strconv.Itoa(pr.code)).Inc()
	})
}

// pageResponse records the status code of a page response and whether the
// limit admitted the request.
type pageResponse struct {
	http.ResponseWriter
	code     int
	wrote    bool
	admitted bool
}

func (p *pageResponse) WriteHeader(code int) {
	if !p.wrote {
		p.code, p.wrote = code, true
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *pageResponse) Write(b []byte) (int, error) {
	p.wrote = true
	return p.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the response underneath, for the
// deadlines of a page's writes.
func (p *pageResponse) Unwrap() http.ResponseWriter {
	return p.ResponseWriter
}
