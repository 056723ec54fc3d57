/* mult_metrics: see mult_metrics.h. */
#include "approx/mult_metrics.h"

#include <math.h>
#include <string.h>

void mult_metrics_compute(const uint16_t *lut, mult_metrics *m)
{
    int64_t sum = 0, sum_abs = 0, max_abs = 0, n_err = 0;
    uint64_t sum_sq = 0;
    double rel = 0;
    for (int a = 0; a < 256; a++) {
        double row_rel = 0; /* per row, so the sum order is fixed */
        for (int b = 0; b < 256; b++) {
            int64_t exact = (int64_t)a * b;
            int64_t e = (int64_t)lut[a * 256 + b] - exact;
            int64_t ae = e < 0 ? -e : e;
            sum += e;
            sum_abs += ae;
            sum_sq += (uint64_t)(e * e);
            if (ae > max_abs)
                max_abs = ae;
            if (e)
                n_err++;
            if (exact)
                row_rel += (double)ae / (double)exact;
        }
        rel += row_rel;
    }
    const double n = 65536.0;
    memset(m, 0, sizeof *m);
    m->mae = (double)sum_abs / n;
    m->mae_pct = m->mae / 65536.0 * 100.0;
    m->wce = (double)max_abs;
    m->wce_pct = m->wce / 65536.0 * 100.0;
    m->mre_pct = rel / (255.0 * 255.0) * 100.0;
    m->ep_pct = (double)n_err / n * 100.0;
    m->bias = (double)sum / n;
    m->mse = (double)sum_sq / n;
    m->var = m->mse - m->bias * m->bias;
    if (m->var < 0)
        m->var = 0;
}

int mult_hist_check(const double *h, const char *what, double *total, ax_err *err)
{
    double s = 0;
    for (int i = 0; i < 256; i++) {
        if (!isfinite(h[i]) || h[i] < 0)
            return ax_fail(err, AX_EINPUT, "%s histogram: entry %d is %g, expected a finite value >= 0",
                           what, i, h[i]);
        s += h[i];
    }
    if (!(s > 0))
        return ax_fail(err, AX_EINPUT, "%s histogram: all entries are 0", what);
    *total = s;
    return AX_OK;
}

int mult_metrics_weighted(const uint16_t *lut, const double *act_hist, const double *w_hist,
                          mult_metrics *m, ax_err *err)
{
    double ta, tw;
    int rc = mult_hist_check(act_hist, "activation", &ta, err);
    if (rc == AX_OK)
        rc = mult_hist_check(w_hist, "weight", &tw, err);
    if (rc != AX_OK)
        return rc;
    double sw = 0, s = 0, sa = 0, sq = 0, serr = 0, rel = 0, relw = 0, wmax = 0;
    for (int a = 0; a < 256; a++) {
        if (act_hist[a] == 0)
            continue;
        double pa = act_hist[a] / ta;
        for (int b = 0; b < 256; b++) {
            if (w_hist[b] == 0)
                continue;
            double p = pa * (w_hist[b] / tw);
            double exact = (double)a * b;
            double e = (double)lut[a * 256 + b] - exact;
            double ae = fabs(e);
            sw += p;
            s += p * e;
            sa += p * ae;
            sq += p * e * e;
            if (e != 0)
                serr += p;
            if (ae > wmax)
                wmax = ae;
            if (exact != 0) {
                rel += p * ae / exact;
                relw += p;
            }
        }
    }
    memset(m, 0, sizeof *m);
    m->mae = sa / sw;
    m->mae_pct = m->mae / 65536.0 * 100.0;
    m->wce = wmax;
    m->wce_pct = wmax / 65536.0 * 100.0;
    m->mre_pct = relw > 0 ? rel / relw * 100.0 : 0.0;
    m->ep_pct = serr / sw * 100.0;
    m->bias = s / sw;
    m->mse = sq / sw;
    m->var = m->mse - m->bias * m->bias;
    if (m->var < 0)
        m->var = 0;
    return AX_OK;
}

int mult_lut_zero_safe(const uint16_t *lut)
{
    for (int w = 0; w < 256; w++)
        if (lut[w] != 0)
            return 0;
    return 1;
}
