// Command socsec_datagen writes a realistic, deterministic dataset of a
// given size and a config.yml that loads it, for benchmarks and load tests:
//
//	socsec_datagen --series 1000000 --out /tmp/socsec-1m
//	socsec_datagen --series 1000000 --conflict-figures 10000 --totals 40000 --quote-bytes 4096 --out /tmp/socsec-pages
//	socsec_exporter check --config.file=/tmp/socsec-1m/config.yml
package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kingpin/v2"

	"github.com/socsec-exporter/socsec_exporter/internal/datagen"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	a := kingpin.New("socsec_datagen", "Write a synthetic national dataset of about the given number of series and a config.yml that loads it.")
	var opts datagen.Options
	a.Flag("series", "Series of the exposition to generate, counted as Prometheus counts them (data series, their socsec_observation_info and the metadata series).").
		Default("100000").IntVar(&opts.Series)
	a.Flag("variant", "Variant of the values and titles; two variants of one size differ in every family.").Default("0").IntVar(&opts.Variant)
	a.Flag("conflict-figures", "Figures of one series of China that disagree, from one source: an unresolved conflict, in datasets/stress.yaml.").Default("0").IntVar(&opts.ConflictFigures)
	a.Flag("totals", "Totals declared on one indicator of China, each a total and two parts that add up, in datasets/stress.yaml.").Default("0").IntVar(&opts.Totals)
	a.Flag("quote-bytes", "Give every figure a quote of this many bytes, each different (at most --dataset.max-text-bytes to load); 0 gives none.").Default("0").IntVar(&opts.QuoteBytes)
	out := a.Flag("out", "Directory to write config.yml and datasets/ into.").Required().String()
	a.HelpFlag.Short('h')
	if _, err := a.Parse(args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	st, err := datagen.Write(*out, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("wrote %s/config.yml: %d regions, %d years, %d data series, %d series in the exposition\n",
		*out, st.Regions, st.Years, st.DataSeries, st.Series)
	if st.StressFigures > 0 {
		fmt.Printf("and %s/datasets/stress.yaml: %d figures (a conflict of %d, %d totals of three)\n",
			*out, st.StressFigures, opts.ConflictFigures, opts.Totals)
	}
	return 0
}
