# Per-layer energy breakdown as stacked bars.
#
#   axsearch energy --layers configs/layers_resnet14_fmnist.tsv --out breakdown.tsv
#   gnuplot -e "in='breakdown.tsv'; out='breakdown.png'" plots/breakdown.gp
#
# Input: the TSV written by `axsearch energy --out` (header: layer macs util
# cycles mac_pj wbuf_pj ibuf_pj abuf_pj gbuf_pj noc_pj dram_pj leak_pj
# total_pj). Output: PNG, or SVG if `out` ends in .svg. Bars in nJ.
if (!exists("in")) in = 'breakdown.tsv'
if (!exists("out")) out = 'breakdown.png'
if (out[strlen(out)-3:] eq '.svg') {
    set terminal svg size 1000,520 dynamic font 'sans,11'
} else {
    set terminal pngcairo size 1000,520 font 'sans,10'
}
set output out
set datafile separator "\t"
set key outside right top vertical noreverse noenhanced
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.75
set ylabel 'energy per inference (nJ)'
set xtics rotate by -45 noenhanced
set grid ytics
set title 'Energy by component and layer' noenhanced
plot in skip 1 using ($5/1000):xtic(1) title 'MAC', \
     '' skip 1 using ($6/1000) title 'weight buffer', \
     '' skip 1 using ($7/1000) title 'input buffer', \
     '' skip 1 using ($8/1000) title 'accumulation buffer', \
     '' skip 1 using ($9/1000) title 'global buffer', \
     '' skip 1 using ($10/1000) title 'NoC', \
     '' skip 1 using ($11/1000) title 'DRAM', \
     '' skip 1 using ($12/1000) title 'leakage'
