# Energy breakdown of the exact design and of points along the front.
#
#   gnuplot -e "run='runs/quick'; out='runs/quick/plots/breakdown.png'" plots/run_breakdown.gp
#
# Input: RUN/baselines.tsv (its first row is the exact design) and
# RUN/front.tsv, whose *_uj columns split each design's energy by component
# (MAC, weight/input/accumulation/global buffers, NoC, DRAM, leakage).
# Bars: the exact design, then every front point by increasing energy
# (without baselines.tsv, hasbase=0: the front points only).
if (!exists("run")) run = 'runs/quick'
if (!exists("out")) out = run.'/plots/breakdown.png'
if (out[strlen(out)-3:] eq '.svg') set terminal svg size 1100,600 font ",10" noenhanced; \
else set terminal pngcairo size 1100,600 font ",10" noenhanced
set output out
set datafile separator "\t"
set datafile columnheaders
set style fill solid 0.85 border -1
set boxwidth 0.75
set key outside right top
set grid ytics
set ylabel "energy per inference (uJ)"
set xlabel "design (front points labelled with their top-1 drop on the test split, pp)"
set xtics rotate by -45 font ",8"
set xrange [-0.7:*]
set yrange [0:*]
set title "Where the energy goes along the front: ".run
comps = "mac wbuf ibuf abuf gbuf noc dram leak"
# Stacked bars as boxes of the running sums, drawn tallest first.
cum(i) = sum [j=1:i] column(word(comps, j).'_uj')
if (exists("hasbase") && !hasbase) \
plot for [i=words(comps):1:-1] run.'/front.tsv' using ($0 + 1.5):(cum(i)):xtic(sprintf("%.2f", column("test_drop_pp"))) with boxes lc i title word(comps, i); \
else \
plot for [i=words(comps):1:-1] run.'/baselines.tsv' every ::0::0 using (0):(cum(i)):xtic("exact") with boxes lc i title word(comps, i), \
     for [i=words(comps):1:-1] run.'/front.tsv' using ($0 + 1.5):(cum(i)):xtic(sprintf("%.2f", column("test_drop_pp"))) with boxes lc i notitle
