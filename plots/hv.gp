# Hypervolume and best feasible energy per generation of a run.
#
#   gnuplot -e "run='runs/quick'; out='runs/quick/plots/hv.png'" plots/hv.gp
#
# Input: RUN/history.tsv (gen evals cache_hits feasible hv best_energy_uj).
# The hypervolume is over (energy / exact energy, drop) with reference
# point (1, max_drop): the region better than the exact design's energy
# within the accuracy bound.
if (!exists("run")) run = 'runs/quick'
if (!exists("out")) out = run.'/plots/hv.png'
if (out[strlen(out)-3:] eq '.svg') set terminal svg size 900,500 font ",11" noenhanced; \
else set terminal pngcairo size 900,500 font ",11" noenhanced
set output out
set datafile separator "\t"
set grid
set xlabel "generation"
set ylabel "hypervolume"
set y2label "lowest feasible energy (uJ)"
set y2tics
set ytics nomirror
# above the plot: the two curves can cross anywhere inside it
set key above horizontal
set title "Search progress: ".run
plot run.'/history.tsv' using "gen":"hv" with linespoints lw 2 pt 7 title "hypervolume", \
     '' using "gen":"best_energy_uj" axes x1y2 with linespoints lw 1 pt 6 title "lowest feasible energy"
