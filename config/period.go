package config

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

var (
	periodRE = regexp.MustCompile(`^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4])|[HS]([12])|(\d{2}-\d{2}))$`)
	basisRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// parsePeriod reads an observation's reference period within year and
// returns it as it is served: a month 2025-09, a quarter 2024-Q1, a half
// 2024-H1 (SDMX's 2024-S1 is read as 2024-H1), or a day 2017-06-30.
func parsePeriod(s string, year int) (string, string) {
	m := periodRE.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Sprintf("must be a month (2025-09), a quarter (2024-Q1), a half (2024-H1 or 2024-S1) or a date (2017-06-30), got %q; leave it out for the calendar year", s)
	}
	if y, _ := strconv.Atoi(m[1]); y != year {
		return "", fmt.Sprintf("%s is not in year %d", s, year)
	}
	switch {
	case m[4] != "":
		return m[1] + "-H" + m[4], ""
	case m[5] != "":
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return "", fmt.Sprintf("%s is not a date", s)
		}
	}
	return s, ""
}

// checkBasis says what is wrong with a basis token, or returns "".
func checkBasis(s string) string {
	if !basisRE.MatchString(s) {
		return fmt.Sprintf("must be a lower-case token such as year_end or during_year, got %q", s)
	}
	return ""
}
