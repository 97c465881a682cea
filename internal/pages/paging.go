package pages

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// paramPage is the page number of a page that lists more than fits.
const paramPage = "page"

// parsePage reads the page number of a request: 1 when none is given, else
// a positive integer. A number too large for an int reads as the largest,
// which every page clamps to its last; what is not a positive integer is an
// error, which the pages answer with 400.
func parsePage(v url.Values) (int, error) {
	s := param(v, paramPage)
	if s == "" {
		return 1, nil
	}
	if strings.TrimLeft(s, "0123456789") != "" || strings.TrimLeft(s, "0") == "" {
		return 0, fmt.Errorf("page %q is not a page number: pages are numbered 1, 2, 3 and so on", shorten(s))
	}
	n, err := strconv.Atoi(s)
	if errors.Is(err, strconv.ErrRange) {
		n = math.MaxInt
	}
	return n, nil
}

// shorten cuts what a request gave to what a message repeats of it.
func shorten(s string) string {
	const most = 40
	if len(s) <= most {
		return s
	}
	return strings.ToValidUTF8(s[:most], "") + "…"
}

// pageCount is the number of pages of n items, per to a page: at least one.
func pageCount(n, per int) int {
	return max(1, n/per+min(1, n%per))
}

// pageStart is the index of the first item of a page, per to a page; the
// page is at most pageCount's, so that it cannot overflow.
func pageStart(page, per int) int {
	return (page - 1) * per
}

// window returns up to n elements of s from the i-th.
func window[T any](s []T, i, n int) []T {
	if i < 0 || i >= len(s) {
		return nil
	}
	return s[i:min(len(s), i+n)]
}

// pageNav is where a page is among the pages of what it lists, with the
// addresses of the pages before and after it.
type pageNav struct {
	Page, Pages int
	Prev, Next  string
}

// newPageNav clamps page to the pages there are and links the pages around
// it, whose addresses url gives.
func newPageNav(page, pages int, url func(page int) string) pageNav {
	nav := pageNav{Page: min(page, pages), Pages: pages}
	if nav.Page > 1 {
		nav.Prev = url(nav.Page - 1)
	}
	if nav.Page < pages {
		nav.Next = url(nav.Page + 1)
	}
	return nav
}
