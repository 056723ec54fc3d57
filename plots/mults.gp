# Error against power for the whole multiplier library.
#
#   ./axsearch mults --format tsv --import approx/data/evoapprox/index.tsv > mults.tsv
#   gnuplot -e "in='mults.tsv'; out='mults.png'" plots/mults.gp
#
# Input: the TSV of `axsearch mults` (header line, columns by name).
# Output: PNG, MAE % (log scale; exact designs drawn at the bottom edge)
# against power in uW, one colour and symbol per family.
if (!exists("in")) in = 'mults.tsv'
if (!exists("out")) out = 'mults.png'
set terminal pngcairo size 1100,750 font ",11" noenhanced
set output out
set datafile separator "\t"
set key outside right top title "family"
set grid
set logscale y
set yrange [1e-4:20]
set xlabel "power at 1 GHz (uW, 45 nm, calibrated to EvoApproxLib mul8u_1JFF)"
set ylabel "MAE (% of 2^16)"
set title "Approximate 8x8 multipliers: mean absolute error vs power"
families = system("awk -F'\t' 'NR>1 && !seen[$2]++ {printf \"%s \", $2}' ".in)
floor_mae(x) = x > 1e-4 ? x : 1.2e-4
plot for [i=1:words(families)] in \
     using (strcol("family") eq word(families, i) ? column("power_uw") : NaN):(floor_mae(column("mae_pct"))) \
     with points pt (i % 13) + 1 ps 1.4 title word(families, i) noenhanced, \
     in using (column("power_uw")):(floor_mae(column("mae_pct"))):(stringcolumn("name")) \
     with labels noenhanced font ",7" offset 0,0.7 notitle
