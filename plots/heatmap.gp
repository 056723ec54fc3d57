# The multiplier chosen for each layer along the front of a run.
#
#   gnuplot -e "run='runs/quick'; out='runs/quick/plots/heatmap.png'; layers=5" plots/heatmap.gp
#
# Input: RUN/front.tsv, columns L0..L{layers-1}: the index of each layer's
# multiplier in the run's multiplier set (sorted by power: 0 = the least
# power-hungry design). Rows: front points by increasing energy, labelled
# with the energy saved and the test-split drop. Colour: that index (darker
# = less power).
if (!exists("run")) run = 'runs/quick'
if (!exists("out")) out = run.'/plots/heatmap.png'
if (!exists("layers")) layers = 5
if (out[strlen(out)-3:] eq '.svg') set terminal svg size 1000,650 font ",10" noenhanced; \
else set terminal pngcairo size 1000,650 font ",10" noenhanced
set output out
set datafile separator "\t"
# the first line names the columns in every plot below, so $0 counts data rows from 0
set datafile columnheaders
set title "Multiplier per layer along the front (index in the power-sorted set)"
set xlabel "MAC layer"
set ylabel "front point: energy saved / test drop"
set xrange [-0.5:layers-0.5]
set yrange [-0.5:*]
set xtics 1
set cblabel "multiplier index (0 = least power)"
set palette rgbformulae 21,22,23
unset key
set lmargin 22
plot for [l=0:layers-1] run.'/front.tsv' using (l):($0):(0.5):(0.5):(column(sprintf("L%d", l))) \
         with boxxyerror fs solid 1.0 noborder fc palette, \
     run.'/front.tsv' using (NaN):($0):ytic(sprintf("%.1f %% / %.2f pp", column("energy_saved_pct"), column("test_drop_pp"))) notitle
