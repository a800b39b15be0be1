// Command benchreport runs the cross-API benchmarks of ./bench several times and prints a
// table of medians and SDK/raw ratios, benchstat-style, with the machine they came from:
//
//	go run ./internal/cmd/benchreport              # 5 rounds, every group
//	go run ./internal/cmd/benchreport -rounds 10 -groups P1,P3
//	go run ./internal/cmd/benchreport -rounds 1 -quick   # a smoke run in seconds
//
// It compiles the bench package once, then runs each group once per round (rounds are
// interleaved, so slow drift of a shared machine hits raw and sdk alike), parses the standard
// benchmark output and reports, per benchmark and metric, the median of the sdk runs, the
// median of the raw runs, their ratio, the median and quartiles of the ratios each sdk run
// measured against its own raw baseline ("paired", steadier on a noisy machine: in P1 raw calls
// interleaved with the sdk's, elsewhere the raw run just before it), and the target of issue 9.
// Only the standard library is used.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// group is one go test invocation: a benchmark pattern and its benchtime.
type group struct {
	name, pattern, benchtime, quick string
	rows                            []row
	// diagnostic names the benchmarks that explain others and carry no target of their own.
	diagnostic map[string]bool
}

// row is one line of the table: a metric of a benchmark, and the target it must meet.
type row struct {
	metric string // the unit as go test prints it: ns/op, allocs/op, calls/s, …
	paired string // the sdk side's x-raw-… metric, "" when none
	target string // "<=1.05", ">=0.95", "=0" (on the sdk value) or ""
}

var groups = []group{
	{name: "P1", pattern: "^BenchmarkP1", benchtime: "1s", quick: "200x", rows: []row{
		{"ns/op", "x-raw-ns", "<=1.05"},
		{"cpu-ns/op", "x-raw-cpu-ns/op", "<=1.05"},
		{"allocs/op", "x-raw-allocs", "<=1.3"},
		{"B/op", "x-raw-B", ""},
	}, diagnostic: map[string]bool{
		// The transport with the raw side's decoder: what the shared transport costs by itself,
		// paid back (or not) by each API's decoder in P1Get.
		"P1Transport": true,
	}},
	{name: "P2", pattern: "^BenchmarkP2", benchtime: "20000x", quick: "500x", rows: []row{
		{"calls/s", "x-raw-calls/s", ">=0.95"},
		// Throughput of CPU-bound callers is CPUs / CPU per call: ≥ 0.95× raw is ≤ 1.053×.
		{"cpu-ns/op", "x-raw-cpu-ns/op", "<=1.053"},
		{"new-conns", "", "=0"},
		{"warm-conns", "", ""},
		{"allocs/op", "x-raw-allocs", ""},
	}},
	{name: "P3", pattern: "^BenchmarkP3", benchtime: "1x", quick: "1x", rows: []row{
		{"ns/op", "x-raw-ns", "<=1.1"},
		{"cpu-ns/op", "x-raw-cpu-ns/op", "<=1.1"},
		{"peak-heap-B", "x-raw-peak-heap-B", ""},
		{"page-B", "", ""},
		{"allocs/op", "x-raw-allocs", ""},
	}},
	{name: "Decimal", pattern: "^BenchmarkDecimal", benchtime: "1s", quick: "20x", rows: []row{
		{"ns/op", "x-raw-ns", ""},
		{"allocs/op", "x-raw-allocs", ""},
	}},
}

func main() {
	rounds := flag.Int("rounds", 5, "how many times each benchmark runs (the -count of benchstat)")
	only := flag.String("groups", "", "comma-separated groups to run (P1,P2,P3,Decimal); empty runs all")
	quick := flag.Bool("quick", false, "short benchtimes: a smoke run, not figures")
	verbose := flag.Bool("v", false, "echo the raw benchmark output")
	pkg := flag.String("pkg", "./bench/", "the benchmark package")
	flag.Parse()
	if *rounds < 1 {
		fatalf("-rounds must be at least 1")
	}
	var selected []group
	for _, g := range groups {
		if *only == "" || slices.Contains(strings.Split(*only, ","), g.name) {
			selected = append(selected, g)
		}
	}
	if len(selected) == 0 {
		fatalf("no group matches -groups %q", *only)
	}

	dir, err := os.MkdirTemp("", "benchreport")
	if err != nil {
		fatalf("%v", err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bench.test")
	build := exec.Command("go", "test", "-c", "-o", bin, *pkg)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fatalf("building %s: %v", *pkg, err)
	}

	load := loadAverage()
	res := results{}
	var header string
	started := time.Now()
	for r := 1; r <= *rounds; r++ {
		for _, g := range selected {
			bt := g.benchtime
			if *quick {
				bt = g.quick
			}
			fmt.Fprintf(os.Stderr, "round %d/%d: %s (-benchtime %s)\n", r, *rounds, g.name, bt)
			cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", g.pattern, "-test.benchtime", bt,
				"-test.count", "1", "-test.benchmem")
			var out bytes.Buffer
			cmd.Stdout = &out
			cmd.Stderr = os.Stderr
			err := cmd.Run()
			if *verbose {
				os.Stderr.Write(out.Bytes())
			}
			if err != nil {
				os.Stderr.Write(out.Bytes())
				fatalf("%s: %v", g.name, err)
			}
			h := res.parse(&out)
			if header == "" {
				header = h
			}
		}
	}

	w := os.Stdout
	fmt.Fprintf(w, "polybill benchmarks: SDK vs raw net/http + encoding/json, same loopback server and payload\n\n")
	fmt.Fprintf(w, "machine:  %d CPUs (nproc), %s, %s/%s, %s\n", runtime.NumCPU(), cpuModel(header), runtime.GOOS, runtime.GOARCH, goVersion())
	fmt.Fprintf(w, "load:     %s at start, %s at end (1/5/15 min)\n", load, loadAverage())
	fmt.Fprintf(w, "command:  go run ./internal/cmd/benchreport %s\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintf(w, "runs:     %d per benchmark, interleaved; %s in all; medians; ratio = sdk/raw of the medians,\n", *rounds, time.Since(started).Round(time.Second))
	fmt.Fprintf(w, "          paired = median (q1–q3) of sdk/raw measured by each sdk run against its raw baseline:\n")
	fmt.Fprintf(w, "          P1 against raw calls interleaved with its own, the others against the raw run before it;\n")
	fmt.Fprintf(w, "          cpu-ns/op = CPU time of the process (client + in-process server) per op: on a shared\n")
	fmt.Fprintf(w, "          machine wall time (ns/op) mostly measures the other processes, CPU time does not\n\n")
	for _, g := range selected {
		printGroup(w, g, res)
	}
}

// results maps benchmark name (without the -N suffix) → unit → values, one per run.
type results map[string]map[string][]float64

var lineRE = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parse reads go test -bench output and returns the header lines (goos, cpu, …).
func (r results) parse(out io.Reader) string {
	var header strings.Builder
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			if strings.Contains(line, ": ") && !strings.HasPrefix(line, "ok") {
				header.WriteString(line + "\n")
			}
			continue
		}
		name := strings.TrimPrefix(m[1], "Benchmark")
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			if r[name] == nil {
				r[name] = map[string][]float64{}
			}
			r[name][f[i+1]] = append(r[name][f[i+1]], v)
		}
	}
	return header.String()
}

func printGroup(w io.Writer, g group, res results) {
	var parents []string
	for name := range res {
		if p, side := filepath.Dir(name), filepath.Base(name); side == "sdk" && strings.HasPrefix("Benchmark"+name, strings.TrimPrefix(g.pattern, "^")) {
			parents = append(parents, p)
		}
	}
	if len(parents) == 0 {
		return
	}
	slices.Sort(parents)
	fmt.Fprintf(w, "%s\n", g.name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "benchmark\tmetric\tsdk\traw\tsdk/raw\tpaired\ttarget\t\n")
	for _, p := range parents {
		sdk, raw := res[p+"/sdk"], res[p+"/raw"]
		for _, r := range g.rows {
			if g.diagnostic[p] {
				r.target = ""
			}
			s, ok := median(sdk[r.metric])
			if !ok {
				continue
			}
			rv, rok := median(raw[r.metric])
			ratio, paired := "", ""
			if rok && rv != 0 {
				ratio = fmt.Sprintf("%.2f", s/rv)
			}
			if pm, ok := median(sdk[r.paired]); ok && r.paired != "" {
				paired = fmt.Sprintf("%.2f%s", pm, quartiles(sdk[r.paired]))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", p, r.metric, human(s, r.metric, sdk[r.metric]),
				humanOpt(rv, rok, r.metric, raw[r.metric]), ratio, paired, verdict(r, s, rv, rok, sdk[r.paired]))
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// verdict checks a target against the paired median when there is one (it cancels the
// machine's drift between runs), else against the ratio of medians.
func verdict(r row, sdk, raw float64, rawOK bool, paired []float64) string {
	if r.target == "" {
		return ""
	}
	if r.target == "=0" {
		if sdk == 0 {
			return "0 ok"
		}
		return "0 MISS"
	}
	limit, err := strconv.ParseFloat(r.target[2:], 64)
	if err != nil {
		return r.target
	}
	v, ok := median(paired)
	if !ok {
		if !rawOK || raw == 0 {
			return r.target
		}
		v = sdk / raw
	}
	pass := v <= limit
	if strings.HasPrefix(r.target, ">=") {
		pass = v >= limit
	}
	if pass {
		return r.target + " ok"
	}
	return r.target + " MISS"
}

func median(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2], true
	} else {
		return (s[n/2-1] + s[n/2]) / 2, true
	}
}

// quartiles is " (q1–q3)" of v, the range the middle half of the paired ratios fell in: how
// far one run's verdict can be trusted. Empty for fewer than four values.
func quartiles(v []float64) string {
	if len(v) < 4 {
		return ""
	}
	s := slices.Clone(v)
	slices.Sort(s)
	q := func(p float64) float64 { // linear interpolation between the closest ranks
		x := p * float64(len(s)-1)
		i := int(x)
		if i+1 >= len(s) {
			return s[i]
		}
		return s[i] + (x-float64(i))*(s[i+1]-s[i])
	}
	return fmt.Sprintf(" (%.2f–%.2f)", q(0.25), q(0.75))
}

// spread is benchstat's "±": the largest distance from the median, in percent of it.
func spread(med float64, v []float64) string {
	if len(v) < 2 {
		return ""
	}
	if med == 0 {
		if m := slices.Max(v); m != 0 {
			return fmt.Sprintf(" (max %g)", m)
		}
		return ""
	}
	d := 0.0
	for _, x := range v {
		d = math.Max(d, math.Abs(x-med))
	}
	return fmt.Sprintf(" ±%.0f%%", 100*d/math.Abs(med))
}

func humanOpt(v float64, ok bool, unit string, all []float64) string {
	if !ok {
		return ""
	}
	return human(v, unit, all)
}

func human(v float64, unit string, all []float64) string {
	var s string
	switch unit {
	case "ns/op", "cpu-ns/op":
		switch {
		case v >= 1e9:
			s = fmt.Sprintf("%.2fs", v/1e9)
		case v >= 1e6:
			s = fmt.Sprintf("%.2fms", v/1e6)
		case v >= 1e3:
			s = fmt.Sprintf("%.1fµs", v/1e3)
		default:
			s = fmt.Sprintf("%.0fns", v)
		}
	case "B/op", "peak-heap-B", "page-B":
		switch {
		case v >= 1<<20:
			s = fmt.Sprintf("%.1fMiB", v/(1<<20))
		case v >= 1<<10:
			s = fmt.Sprintf("%.1fKiB", v/(1<<10))
		default:
			s = fmt.Sprintf("%.0fB", v)
		}
	default:
		s = strconv.FormatFloat(v, 'f', -1, 64)
		if v >= 100 {
			s = fmt.Sprintf("%.0f", v)
		}
	}
	return s + spread(v, all)
}

func cpuModel(header string) string {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	for _, l := range strings.Split(header, "\n") {
		if v, ok := strings.CutPrefix(l, "cpu: "); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchreport: "+format+"\n", args...)
	os.Exit(1)
}
