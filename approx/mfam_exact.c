/* Exact unsigned 8x8 multipliers: the references the approximate families
 * are derived from.
 *
 * - exact_array: carry-save array multiplier (the classic array of AND
 *   gates and full adders, one row per weight bit, vector-merging
 *   ripple-carry adder), as in e.g. Weste & Harris, "CMOS VLSI Design",
 *   4th ed., Addison-Wesley 2010, ch. 11.9.
 * - exact_wallace: C. S. Wallace, "A suggestion for a fast multiplier",
 *   IEEE Trans. Electronic Computers EC-13(1), 1964.
 * - exact_dadda: L. Dadda, "Some schemes for parallel multipliers", Alta
 *   Frequenza 34, 1965.
 * Trees end in a ripple-carry adder. Operands are symmetric. */
#include "approx/mbuild.h"
#include "approx/mfam.h"

enum { EXACT_ARRAY = 0, EXACT_WALLACE = 1, EXACT_DADDA = 2 };

static void build(nl_netlist *nl, const int *param)
{
    nl_sig a[8], b[8], out[MB_COLS];
    mb_operands(nl, a, b);
    if (param[0] == EXACT_ARRAY) {
        nl_sig rows[8][MB_COLS];
        for (int j = 0; j < 8; j++) {
            for (int c = 0; c < MB_COLS; c++)
                rows[j][c] = NL_ZERO;
            for (int i = 0; i < 8; i++)
                rows[j][i + j] = nl_and2(nl, a[i], b[j]);
        }
        mb_array(nl, rows, 8, out);
    } else {
        mb_matrix m;
        mb_init(&m);
        for (int j = 0; j < 8; j++)
            for (int i = 0; i < 8; i++)
                mb_add_bit(&m, i + j, nl_and2(nl, a[i], b[j]));
        if (param[0] == EXACT_WALLACE)
            mb_reduce_wallace(nl, &m);
        else
            mb_reduce_dadda(nl, &m);
        mb_cpa(nl, &m, out);
    }
    mb_set_outputs(nl, out);
}

static uint16_t model(unsigned a, unsigned b, const int *param)
{
    (void)param;
    return (uint16_t)(a * b);
}

static int more_approx(const int *p, const int *q)
{
    (void)p;
    (void)q;
    return 0;
}

static const mfam_design designs[] = {
    {"exact_array", {EXACT_ARRAY}},
    {"exact_wallace", {EXACT_WALLACE}},
    {"exact_dadda", {EXACT_DADDA}},
};

const mfam_family mfam_exact = {
    .name = "exact",
    .title = "exact array, Wallace and Dadda multipliers",
    .citation = "Wallace, IEEE Trans. EC 1964; Dadda, Alta Frequenza 1965",
    .operands = "symmetric",
    .build = build,
    .model = model,
    .more_approx = more_approx,
    .designs = designs,
    .n_designs = sizeof designs / sizeof designs[0],
};
