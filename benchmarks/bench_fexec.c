/* Float executor speed: a LeNet-5-shaped graph with random weights (conv
 * 6@5x5 pad 2, relu, maxpool, conv 16@5x5, relu, maxpool, fc 400-120-84-10)
 * on random images. Prints images/s and GMAC/s for 1 thread and all
 * threads, and the ratio of fexec's conv (im2col + register-blocked
 * kernel) to a plain seven-deep loop on the second conv layer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "fitness/net/fexec.h"
#include "fitness/net/graph.h"
#include "util/pcg.h"
#include "util/wallclock.h"

static pcg32 rng;

static float *rnd(int64_t n, double scale)
{
    float *p = malloc((size_t)n * sizeof *p);
    if (!p)
        exit(1);
    for (int64_t i = 0; i < n; i++)
        p[i] = (float)((pcg32_double(&rng) * 2 - 1) * scale);
    return p;
}

static int act(graph *g, const char *name, int rank, int64_t d1, int64_t d2, int64_t d3)
{
    int64_t d[4] = {GRAPH_DIM_BATCH, d1, d2, d3};
    return graph_add_tensor(g, name, rank, d, NULL);
}

static int node(graph *g, graph_op op, int n_in, int a, int b, int c, int out)
{
    int in[3] = {a, b, c};
    return graph_add_node(g, op, "", 0, n_in, in, out);
}

static graph_window win(int k, int s, int p)
{
    graph_window w = {{k, k}, {s, s}, {1, 1}, {p, p, p, p}};
    return w;
}

static graph *lenet(void)
{
    graph *g = graph_create();
    g->batched = 1;
    int64_t w1[4] = {6, 1, 5, 5}, b1[1] = {6}, w2[4] = {16, 6, 5, 5}, b2[1] = {16};
    int64_t f1[2] = {120, 400}, fb1[1] = {120}, f2[2] = {84, 120}, fb2[1] = {84}, f3[2] = {10, 84}, fb3[1] = {10};
    int x = act(g, "x", 4, 1, 28, 28);
    int c1 = act(g, "c1", 4, 6, 28, 28), r1 = act(g, "r1", 4, 6, 28, 28), p1 = act(g, "p1", 4, 6, 14, 14);
    int c2 = act(g, "c2", 4, 16, 10, 10), r2 = act(g, "r2", 4, 16, 10, 10), p2 = act(g, "p2", 4, 16, 5, 5);
    int fl = act(g, "f", 2, 400, 0, 0), h1 = act(g, "h1", 2, 120, 0, 0), a1 = act(g, "a1", 2, 120, 0, 0);
    int h2 = act(g, "h2", 2, 84, 0, 0), a2 = act(g, "a2", 2, 84, 0, 0), y = act(g, "y", 2, 10, 0, 0);
    int tw1 = graph_add_tensor(g, "w1", 4, w1, rnd(150, 0.3)), tb1 = graph_add_tensor(g, "b1", 1, b1, rnd(6, 0.1));
    int tw2 = graph_add_tensor(g, "w2", 4, w2, rnd(2400, 0.1)), tb2 = graph_add_tensor(g, "b2", 1, b2, rnd(16, 0.1));
    int tf1 = graph_add_tensor(g, "f1", 2, f1, rnd(48000, 0.05)), tfb1 = graph_add_tensor(g, "fb1", 1, fb1, rnd(120, 0.1));
    int tf2 = graph_add_tensor(g, "f2", 2, f2, rnd(10080, 0.1)), tfb2 = graph_add_tensor(g, "fb2", 1, fb2, rnd(84, 0.1));
    int tf3 = graph_add_tensor(g, "f3", 2, f3, rnd(840, 0.1)), tfb3 = graph_add_tensor(g, "fb3", 1, fb3, rnd(10, 0.1));
    int i = node(g, GRAPH_OP_CONV, 3, x, tw1, tb1, c1);
    g->nodes[i].a.conv = (graph_conv){win(5, 1, 2), 1};
    node(g, GRAPH_OP_RELU, 1, c1, 0, 0, r1);
    i = node(g, GRAPH_OP_MAXPOOL, 1, r1, 0, 0, p1);
    g->nodes[i].a.pool.win = win(2, 2, 0);
    i = node(g, GRAPH_OP_CONV, 3, p1, tw2, tb2, c2);
    g->nodes[i].a.conv = (graph_conv){win(5, 1, 0), 1};
    node(g, GRAPH_OP_RELU, 1, c2, 0, 0, r2);
    i = node(g, GRAPH_OP_MAXPOOL, 1, r2, 0, 0, p2);
    g->nodes[i].a.pool.win = win(2, 2, 0);
    node(g, GRAPH_OP_RESHAPE, 1, p2, 0, 0, fl);
    const graph_gemm canon = {1.0f, 1.0f, 0, 1};
    i = node(g, GRAPH_OP_GEMM, 3, fl, tf1, tfb1, h1);
    g->nodes[i].a.gemm = canon;
    node(g, GRAPH_OP_RELU, 1, h1, 0, 0, a1);
    i = node(g, GRAPH_OP_GEMM, 3, a1, tf2, tfb2, h2);
    g->nodes[i].a.gemm = canon;
    node(g, GRAPH_OP_RELU, 1, h2, 0, 0, a2);
    i = node(g, GRAPH_OP_GEMM, 3, a2, tf3, tfb3, y);
    g->nodes[i].a.gemm = canon;
    g->inputs = malloc(sizeof *g->inputs);
    g->outputs = malloc(sizeof *g->outputs);
    g->inputs[0] = x;
    g->outputs[0] = y;
    g->n_inputs = g->n_outputs = 1;
    ax_err err;
    if (graph_validate(g, &err) != AX_OK) {
        fprintf(stderr, "bench_fexec: %s\n", err.msg);
        exit(1);
    }
    return g;
}

/* The second conv layer as a plain loop nest: [N][6][14][14] -> [N][16][10][10]. */
static void naive_conv2(const float *x, const float *w, const float *b, float *y, int N)
{
    for (int n = 0; n < N; n++)
        for (int m = 0; m < 16; m++)
            for (int p = 0; p < 10; p++)
                for (int q = 0; q < 10; q++) {
                    float acc = b[m];
                    for (int c = 0; c < 6; c++)
                        for (int r = 0; r < 5; r++)
                            for (int s = 0; s < 5; s++)
                                acc += w[((m * 6 + c) * 5 + r) * 5 + s] * x[((n * 6 + c) * 14 + p + r) * 14 + q + s];
                    y[((n * 16 + m) * 10 + p) * 10 + q] = acc;
                }
}

int main(void)
{
    rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 200, 0, 0, 0);
    graph *g = lenet();
    graph_mac_layer *L;
    int nl;
    ax_err err;
    graph_mac_layers(g, &L, &nl, &err);
    double macs = 0;
    for (int i = 0; i < nl; i++)
        macs += (double)L[i].macs;
    free(L);
    enum { N = 2048 };
    float *x = rnd((int64_t)N * 784, 1.0), *y = malloc((size_t)N * 10 * sizeof *y);
    const float *in[1] = {x};
    float *out[1] = {y};
    int maxt = 1;
#ifdef _OPENMP
    maxt = omp_get_max_threads();
#endif
    double rate[2] = {0, 0};
    for (int pass = 0; pass < 2; pass++) {
        fexec_opts o = {pass == 0 ? 1 : maxt, NULL, NULL};
        fexec_run(g, 256, in, out, &o, &err); /* warm-up */
        double t0 = wallclock_seconds();
        for (int start = 0; start < N; start += 256) {
            const float *ini[1] = {x + (int64_t)start * 784};
            float *outi[1] = {y + (int64_t)start * 10};
            if (fexec_run(g, 256, ini, outi, &o, &err) != AX_OK) {
                fprintf(stderr, "bench_fexec: %s\n", err.msg);
                return 1;
            }
        }
        double dt = wallclock_seconds() - t0;
        rate[pass] = N / dt;
        printf("lenet5 float, %d thread(s): %.0f images/s, %.2f GMAC/s (%.3f MMAC/image)\n", o.threads, rate[pass],
               rate[pass] * macs / 1e9, macs / 1e6);
    }
    printf("ratio all threads / 1 thread: %.2f (%d threads; other jobs on the machine lower it)\n",
           rate[1] / rate[0], maxt);

    /* conv2 alone: fexec vs the plain loop, one thread */
    graph *c2 = graph_create();
    c2->batched = 1;
    int64_t xd[4] = {GRAPH_DIM_BATCH, 6, 14, 14}, yd[4] = {GRAPH_DIM_BATCH, 16, 10, 10};
    int64_t wd[4] = {16, 6, 5, 5}, bd[1] = {16};
    float *w = rnd(2400, 0.1), *b = rnd(16, 0.1), *wc = malloc(2400 * sizeof *wc), bc[16];
    memcpy(wc, w, 2400 * sizeof *w);
    memcpy(bc, b, sizeof bc);
    int tx = graph_add_tensor(c2, "x", 4, xd, NULL), tw = graph_add_tensor(c2, "w", 4, wd, w);
    int tb = graph_add_tensor(c2, "b", 1, bd, b), ty = graph_add_tensor(c2, "y", 4, yd, NULL);
    int ci = node(c2, GRAPH_OP_CONV, 3, tx, tw, tb, ty); /* before indexing: the call may move nodes */
    c2->nodes[ci].a.conv = (graph_conv){win(5, 1, 0), 1};
    c2->inputs = malloc(sizeof(int));
    c2->outputs = malloc(sizeof(int));
    c2->inputs[0] = tx;
    c2->outputs[0] = ty;
    c2->n_inputs = c2->n_outputs = 1;
    enum { NC = 512 };
    float *cx = rnd((int64_t)NC * 6 * 14 * 14, 1.0), *cy = malloc((size_t)NC * 1600 * sizeof *cy);
    float *cr = malloc((size_t)NC * 1600 * sizeof *cr);
    const float *cin[1] = {cx};
    float *cout[1] = {cy};
    fexec_opts one = {1, NULL, NULL};
    fexec_run(c2, NC, cin, cout, &one, &err);
    double t0 = wallclock_seconds();
    for (int rep = 0; rep < 4; rep++)
        fexec_run(c2, NC, cin, cout, &one, &err);
    double t_fexec = (wallclock_seconds() - t0) / 4;
    t0 = wallclock_seconds();
    for (int rep = 0; rep < 4; rep++)
        naive_conv2(cx, wc, bc, cr, NC);
    double t_naive = (wallclock_seconds() - t0) / 4;
    int same = memcmp(cy, cr, (size_t)NC * 1600 * sizeof *cy) == 0;
    printf("conv 6->16 5x5 on 14x14, 1 thread: fexec %.2f GMAC/s, plain loop %.2f GMAC/s, ratio %.2f, bit-identical %s\n",
           NC * 240000.0 / t_fexec / 1e9, NC * 240000.0 / t_naive / 1e9, t_naive / t_fexec, same ? "yes" : "NO");
    free(cx);
    free(cy);
    free(cr);
    free(wc);
    graph_free(c2);
    free(x);
    free(y);
    graph_free(g);
    return same ? 0 : 1;
}
