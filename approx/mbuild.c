/* mbuild: see mbuild.h. */
#include "approx/mbuild.h"

#include <string.h>

void mb_init(mb_matrix *m)
{
    memset(m, 0, sizeof *m);
}

void mb_add_bit(mb_matrix *m, int col, nl_sig s)
{
    if (s == NL_ZERO || col < 0 || col >= MB_COLS)
        return;
    if (m->h[col] >= MB_DEPTH) {
        m->overflow = 1;
        return;
    }
    m->bit[col][m->h[col]++] = s;
}

void mb_add_const(mb_matrix *m, unsigned value)
{
    for (int c = 0; c < MB_COLS; c++)
        if (value >> c & 1u)
            mb_add_bit(m, c, NL_ONE);
}

void mb_operands(const nl_netlist *nl, nl_sig a[8], nl_sig b[8])
{
    for (int i = 0; i < 8; i++) {
        a[i] = nl_input(nl, i);
        b[i] = nl_input(nl, 8 + i);
    }
}

static int max_height(const mb_matrix *m)
{
    int h = 0;
    for (int c = 0; c < MB_COLS; c++)
        if (m->h[c] > h)
            h = m->h[c];
    return h;
}

/* Dadda (1965): reduce to the heights 2, 3, 4, 6, 9, 13, ... with as few
 * adders as possible, each stage working from the least significant column
 * up so that carries count toward the next column's height. */
void mb_reduce_dadda(nl_netlist *nl, mb_matrix *m)
{
    int seq[16], ns = 0;
    for (int d = 2; ns < 16; d = d * 3 / 2)
        seq[ns++] = d;
    int top = 0;
    while (top + 1 < ns && seq[top + 1] < max_height(m))
        top++;
    for (int k = top; k >= 0; k--) {
        int d = seq[k];
        if (max_height(m) <= d)
            continue;
        mb_matrix next;
        mb_init(&next);
        for (int c = 0; c < MB_COLS; c++) {
            int used = 0, left = m->h[c];
            while (left + next.h[c] > d && left >= 2) {
                nl_sig s, cy;
                if (left + next.h[c] - d >= 2 && left >= 3) {
                    nl_fa(nl, m->bit[c][used], m->bit[c][used + 1], m->bit[c][used + 2], &s, &cy);
                    used += 3;
                    left -= 3;
                } else {
                    nl_ha(nl, m->bit[c][used], m->bit[c][used + 1], &s, &cy);
                    used += 2;
                    left -= 2;
                }
                mb_add_bit(&next, c, s);
                mb_add_bit(&next, c + 1, cy);
            }
            for (; used < m->h[c]; used++)
                mb_add_bit(&next, c, m->bit[c][used]);
        }
        next.overflow |= m->overflow;
        *m = next;
    }
}

/* Wallace (1964): in every stage each column's bits are taken in groups of
 * three (full adders), a remaining pair goes into a half adder. */
void mb_reduce_wallace(nl_netlist *nl, mb_matrix *m)
{
    while (max_height(m) > 2) {
        mb_matrix next;
        mb_init(&next);
        for (int c = 0; c < MB_COLS; c++) {
            int i = 0, h = m->h[c];
            for (; i + 3 <= h; i += 3) {
                nl_sig s, cy;
                nl_fa(nl, m->bit[c][i], m->bit[c][i + 1], m->bit[c][i + 2], &s, &cy);
                mb_add_bit(&next, c, s);
                mb_add_bit(&next, c + 1, cy);
            }
            if (h - i == 2) {
                nl_sig s, cy;
                nl_ha(nl, m->bit[c][i], m->bit[c][i + 1], &s, &cy);
                mb_add_bit(&next, c, s);
                mb_add_bit(&next, c + 1, cy);
            } else if (h - i == 1) {
                mb_add_bit(&next, c, m->bit[c][i]);
            }
        }
        next.overflow |= m->overflow;
        *m = next;
    }
}

void mb_cpa(nl_netlist *nl, mb_matrix *m, nl_sig out[MB_COLS])
{
    nl_sig carry = NL_ZERO;
    for (int c = 0; c < MB_COLS; c++) {
        nl_sig x = m->h[c] > 0 ? m->bit[c][0] : NL_ZERO;
        nl_sig y = m->h[c] > 1 ? m->bit[c][1] : NL_ZERO;
        if (m->h[c] > 2)
            m->overflow = 1;
        nl_fa(nl, x, y, carry, &out[c], &carry);
    }
}

void mb_array(nl_netlist *nl, nl_sig rows[][MB_COLS], int n_rows, nl_sig out[MB_COLS])
{
    nl_sig s[MB_COLS], c[MB_COLS];
    for (int col = 0; col < MB_COLS; col++)
        s[col] = c[col] = NL_ZERO;
    for (int r = 0; r < n_rows; r++) {
        nl_sig ns[MB_COLS], nc[MB_COLS];
        nc[0] = NL_ZERO;
        for (int col = 0; col < MB_COLS; col++) {
            nl_sig cy;
            nl_fa(nl, s[col], c[col], rows[r][col], &ns[col], &cy);
            if (col + 1 < MB_COLS)
                nc[col + 1] = cy;
        }
        memcpy(s, ns, sizeof s);
        memcpy(c, nc, sizeof c);
    }
    nl_sig carry = NL_ZERO;
    for (int col = 0; col < MB_COLS; col++)
        nl_fa(nl, s[col], c[col], carry, &out[col], &carry);
}

void mb_set_outputs(nl_netlist *nl, const nl_sig out[MB_COLS])
{
    for (int i = 0; i < MB_COLS; i++)
        nl_set_output(nl, i, out[i]);
}

nl_sig mb_or_all(nl_netlist *nl, const nl_sig *x, int n)
{
    if (n <= 0)
        return NL_ZERO;
    if (n == 1)
        return x[0];
    int h = n / 2;
    return nl_or2(nl, mb_or_all(nl, x, h), mb_or_all(nl, x + h, n - h));
}

void mb_lod(nl_netlist *nl, const nl_sig *x, int n, nl_sig *h)
{
    nl_sig above = NL_ZERO; /* OR of the bits above i */
    for (int i = n - 1; i >= 0; i--) {
        h[i] = nl_and2(nl, x[i], nl_inv(nl, above));
        above = nl_or2(nl, above, x[i]);
    }
}

void mb_encode(nl_netlist *nl, const nl_sig *h, int n, nl_sig *out, int n_bits)
{
    nl_sig sel[64];
    for (int b = 0; b < n_bits; b++) {
        int k = 0;
        for (int i = 0; i < n && k < 64; i++)
            if (i >> b & 1)
                sel[k++] = h[i];
        out[b] = mb_or_all(nl, sel, k);
    }
}

void mb_add(nl_netlist *nl, const nl_sig *x, const nl_sig *y, int n, nl_sig cin, nl_sig *out)
{
    nl_sig carry = cin;
    for (int i = 0; i < n; i++)
        nl_fa(nl, x[i], y[i], carry, &out[i], &carry);
    out[n] = carry;
}

void mb_shl(nl_netlist *nl, const nl_sig *x, int n_x, const nl_sig *s, int n_s, nl_sig *out,
            int n_out)
{
    nl_sig cur[64], nxt[64];
    for (int j = 0; j < n_out && j < 64; j++)
        cur[j] = j < n_x ? x[j] : NL_ZERO;
    for (int k = 0; k < n_s; k++) {
        int by = 1 << k;
        for (int j = 0; j < n_out && j < 64; j++)
            nxt[j] = nl_mux2(nl, s[k], cur[j], j >= by ? cur[j - by] : NL_ZERO);
        memcpy(cur, nxt, sizeof cur);
    }
    for (int j = 0; j < n_out && j < 64; j++)
        out[j] = cur[j];
}

void mb_mul(nl_netlist *nl, const nl_sig *x, int n_x, const nl_sig *y, int n_y, nl_sig *out)
{
    mb_matrix m;
    mb_init(&m);
    for (int i = 0; i < n_x; i++)
        for (int j = 0; j < n_y; j++)
            mb_add_bit(&m, i + j, nl_and2(nl, x[i], y[j]));
    mb_reduce_dadda(nl, &m);
    nl_sig p[MB_COLS];
    mb_cpa(nl, &m, p);
    for (int i = 0; i < n_x + n_y && i < MB_COLS; i++)
        out[i] = p[i];
}
