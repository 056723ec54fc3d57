# Accuracy against each voltage knob lowered alone (the error side).
#
#   ./axsearch faults --model models/lenet5_fmnist.onnx --out faults.tsv
#   gnuplot -e "in='faults.tsv'; out='faults.png'" plots/faults.gp
#
# Input: the TSV of `axsearch faults` (knob value top1 top1_se
# expected_flips observed_flips). Output: PNG, three panels, top-1 with
# error bars (one standard error) against the knob's value in volts.
if (!exists("in")) in = 'faults.tsv'
if (!exists("out")) out = 'faults.png'
set terminal pngcairo size 1400,450 font ",11" noenhanced
set output out
set datafile separator "\t"
set multiplot layout 1,3 title "Top-1 accuracy as one knob is lowered (others nominal)"
set grid
set yrange [0:1]
set ylabel "top-1 (validation split)"
set key off
knob(k) = strcol("knob") eq k
set xlabel "PE input buffer supply (V)"
plot in using (knob("sram_v_input") ? column("value") : NaN):"top1":"top1_se" with yerrorlines lw 2 pt 7
set xlabel "PE weight buffer supply (V)"
plot in using (knob("sram_v_weight") ? column("value") : NaN):"top1":"top1_se" with yerrorlines lw 2 pt 7
set xlabel "NoC link swing of the low bits (V)"
plot in using (knob("noc_swing") ? column("value") : NaN):"top1":"top1_se" with yerrorlines lw 2 pt 7
unset multiplot
