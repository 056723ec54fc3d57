# The accuracy-energy front of a run, with its baselines and the exact design.
#
#   gnuplot -e "run='runs/quick'; out='runs/quick/plots/front.png'" plots/front.gp
#   (axsearch plot RUN does this for PNG and SVG)
#
# Input: RUN/front.tsv (the reported front: chosen on the confirmation
# part, re-scored on the test split) and RUN/baselines.tsv (columns by
# name). Each front design is drawn on the confirmation part (bar: from
# drop - 1.645 se up to its one-sided upper bound drop_ucb) and on the test
# split (bar: drop +- 1.645 se, a 90 % interval), so the reader sees the
# uncertainty of every point (docs/statistics.md).
# Variables: run (folder), out (file; .svg gives SVG), maxdrop (the
# constraint, drawn as a line; optional), hasbase (0: the run has no
# baselines.tsv; optional).
if (!exists("run")) run = 'runs/quick'
if (!exists("out")) out = run.'/plots/front.png'
if (out[strlen(out)-3:] eq '.svg') set terminal svg size 1100,700 font ",11" noenhanced; \
else set terminal pngcairo size 1100,700 font ",11" noenhanced
set output out
set datafile separator "\t"
front = run.'/front.tsv'
base = run.'/baselines.tsv'
set key outside below maxrows 4
set grid
set xlabel "energy per inference (uJ)"
set ylabel "top-1 drop vs exact 8-bit design (percentage points)"
set title "Approximate accelerator search: ".run
is(k) = strcol("baseline") eq k
# Designs far beyond the accuracy bound are left out of view.
if (exists("maxdrop")) set yrange [*:4*maxdrop]; \
    set arrow from graph 0, first maxdrop to graph 1, first maxdrop nohead dt 2 lc rgb "gray40"; \
    set label "accuracy bound" at graph 0.01, first maxdrop offset 0,0.6 font ",9" tc rgb "gray40"
if (exists("hasbase") && !hasbase) \
plot front using "energy_uj":"confirm_drop_pp":(column("confirm_drop_pp")-1.645*column("confirm_drop_se")):"confirm_drop_ucb" with yerrorlines lw 2 pt 7 ps 1.2 lc rgb "#1f77b4" title "front, confirmation split (bar: up to the bound)", \
     front using "energy_uj":"test_drop_pp":(column("test_drop_pp")-1.645*column("test_drop_se")):(column("test_drop_pp")+1.645*column("test_drop_se")) with yerrorbars pt 6 ps 1.5 lc rgb "#17becf" title "front, test split (90 % interval)"; \
else \
plot front using "energy_uj":"confirm_drop_pp":(column("confirm_drop_pp")-1.645*column("confirm_drop_se")):"confirm_drop_ucb" with yerrorlines lw 2 pt 7 ps 1.2 lc rgb "#1f77b4" title "front, confirmation split (bar: up to the bound)", \
     front using "energy_uj":"test_drop_pp":(column("test_drop_pp")-1.645*column("test_drop_se")):(column("test_drop_pp")+1.645*column("test_drop_se")) with yerrorbars pt 6 ps 1.5 lc rgb "#17becf" title "front, test split (90 % interval)", \
     base using (is("all_layers") ? column("energy_uj") : NaN):"drop_pp" with points pt 2 ps 1 lc rgb "#7f7f7f" title "one mult. in every layer", \
     base using (is("noc_swing") ? column("energy_uj") : NaN):"drop_pp" with linespoints pt 9 lc rgb "#2ca02c" title "NoC swing alone", \
     base using (is("sram_v_input") ? column("energy_uj") : NaN):"drop_pp" with linespoints pt 11 lc rgb "#9467bd" title "input SRAM voltage alone", \
     base using (is("sram_v_weight") ? column("energy_uj") : NaN):"drop_pp" with linespoints pt 13 lc rgb "#8c564b" title "weight SRAM voltage alone", \
     base using (is("random") ? column("energy_uj") : NaN):"drop_pp" with points pt 4 ps 1.2 lc rgb "#ff7f0e" title "random search front", \
     base using (is("mult_only") ? column("energy_uj") : NaN):"drop_pp" with points pt 8 ps 1.2 lc rgb "#d62728" title "mult.-only NSGA-II front", \
     base using (is("exact") ? column("energy_uj") : NaN):"drop_pp" with points pt 3 ps 3 lw 2 lc rgb "black" title "exact design"
