package app

import (
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// newServer returns the HTTP server of the exporter's routes, with the
// time limits of the options: slow and idle clients hold a connection only
// so long, and never hold the scrape concurrency limit for good.
func (e *Exporter) newServer() *http.Server {
	return &http.Server{
		Handler:           e.Handler(),
		ReadHeaderTimeout: e.opts.ReadHeaderTimeout,
		IdleTimeout:       e.opts.IdleTimeout,
		// Every response but a scrape is small; a scrape sets its own
		// deadlines (scrapeWriter), and /-/reload renews this one for its
		// answer after the reload.
		WriteTimeout: e.opts.WriteTimeout,
	}
}

// scrapeTimeoutHeader is where Prometheus sends its scrape_timeout, in
// seconds.
const scrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"

// writeChunk is the most a scrape writes under one write deadline: a client
// must take this much within WriteStallTimeout, or the scrape is cut.
const writeChunk = 256 << 10

// scrapeDeadline is when a scrape started at start must be sent by:
// WriteTimeout after it, or earlier when Prometheus says it gives up
// sooner. Zero means no deadline.
func (e *Exporter) scrapeDeadline(r *http.Request, start time.Time) time.Time {
	d := e.opts.WriteTimeout
	if s, err := strconv.ParseFloat(r.Header.Get(scrapeTimeoutHeader), 64); err == nil && s > 0 && !math.IsInf(s, 0) {
		// Beyond a day the header means nothing a server should wait for.
		if h := time.Duration(min(s, 86400) * float64(time.Second)); d <= 0 || h < d {
			d = h
		}
	}
	if d <= 0 {
		return time.Time{}
	}
	return start.Add(d)
}

// scrapeWriter writes a scrape's body in chunks of at most writeChunk,
// each under a write deadline of WriteStallTimeout from its start, never
// beyond the scrape's deadline. A client that reads too slowly or not at
// all makes a write fail; the handler returns and frees its place among
// --web.max-requests, and the server closes the connection.
type scrapeWriter struct {
	w        io.Writer
	rc       *http.ResponseController
	stall    time.Duration
	deadline time.Time
	// armed says write deadlines are set: some are configured and the
	// ResponseWriter supports them.
	armed bool
	// keep is the server's own write timeout: after the scrape the
	// deadline goes back to none when there is none.
	keep bool
}

func (e *Exporter) newScrapeWriter(w http.ResponseWriter, r *http.Request, start time.Time) *scrapeWriter {
	sw := &scrapeWriter{w: w, rc: http.NewResponseController(w), stall: e.opts.WriteStallTimeout,
		deadline: e.scrapeDeadline(r, start), keep: e.opts.WriteTimeout > 0}
	sw.armed = sw.stall > 0 || !sw.deadline.IsZero()
	return sw
}

func (sw *scrapeWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), writeChunk)]
		sw.arm()
		m, err := sw.w.Write(chunk)
		n += m
		if err != nil {
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}

// arm sets the deadline of the next chunk.
func (sw *scrapeWriter) arm() {
	if !sw.armed {
		return
	}
	d := sw.deadline
	if sw.stall > 0 {
		if s := time.Now().Add(sw.stall); d.IsZero() || s.Before(d) {
			d = s
		}
	}
	if err := sw.rc.SetWriteDeadline(d); errors.Is(err, http.ErrNotSupported) {
		sw.armed = false
	}
}

// finish sends what is buffered under the last deadline and, when the
// server has no write timeout of its own to set for the next request on
// the connection, lifts the deadline again.
func (sw *scrapeWriter) finish() {
	if !sw.armed || sw.keep {
		return
	}
	sw.arm()
	_ = sw.rc.Flush()
	_ = sw.rc.SetWriteDeadline(time.Time{})
}
