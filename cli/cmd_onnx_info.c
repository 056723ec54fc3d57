/* axsearch onnx-info MODEL: imports a model as the emulator will (batched,
 * unless --unbatched) and prints the resulting graph: every node with its
 * input and output shapes, then the MAC layers numbered 0..L-1 with their
 * loop-nest dimensions. Exit 2 if the model cannot be imported. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "fitness/net/graph.h"
#include "fitness/net/onnx_import.h"

static void print_dims(const graph_tensor *t)
{
    printf("[");
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] == GRAPH_DIM_BATCH)
            printf("%sN", i ? "," : "");
        else
            printf("%s%lld", i ? "," : "", (long long)t->dims[i]);
    }
    printf("]");
}

int cmd_onnx_info(int argc, char **argv)
{
    int unbatched = 0;
    static const struct option longopts[] = {
        {"unbatched", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'u')
            unbatched = 1;
        else if (c == 'h') {
            printf("usage: axsearch onnx-info [--unbatched] MODEL\n");
            return 0;
        } else
            return 2;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: axsearch onnx-info [--unbatched] MODEL\n");
        return 2;
    }
    const char *path = argv[optind];
    onnx_import_opts o = {!unbatched, 0, NULL};
    graph *g = NULL;
    ax_err err = {0};
    int rc = onnx_import_file(path, &o, &g, &err);
    if (rc != AX_OK) {
        fprintf(stderr, "axsearch onnx-info: %s\n", err.msg);
        return rc == AX_EINPUT ? 2 : 1;
    }
    printf("%s: opset %d, %s, input mean %g std %g\n", path, g->opset, g->batched ? "batched" : "unbatched",
           (double)g->input_mean, (double)g->input_std);
    for (int i = 0; i < g->n_inputs; i++) {
        printf("input  %s ", g->tensors[g->inputs[i]].name);
        print_dims(&g->tensors[g->inputs[i]]);
        printf("\n");
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        printf("node %3d %-18s %-24s (onnx node %d) ", i, graph_op_name(n->op), n->name[0] ? n->name : "-",
               n->onnx_index);
        for (int k = 0; k < n->n_in; k++) {
            const graph_tensor *t = &g->tensors[n->in[k]];
            printf("%s%s", k ? " " : "", t->data ? "const" : "");
            print_dims(t);
        }
        printf(" -> ");
        print_dims(&g->tensors[n->out]);
        printf("\n");
    }
    for (int i = 0; i < g->n_outputs; i++) {
        printf("output %s ", g->tensors[g->outputs[i]].name);
        print_dims(&g->tensors[g->outputs[i]]);
        printf("\n");
    }
    graph_mac_layer *L = NULL;
    int nl = 0;
    if ((rc = graph_mac_layers(g, &L, &nl, &err)) != AX_OK) {
        fprintf(stderr, "axsearch onnx-info: %s\n", err.msg);
        graph_free(g);
        return 1;
    }
    long long total = 0;
    printf("MAC layers (N M C P Q R S | H W | stride dilation pads(t,l,b,r) group | MACs per image):\n");
    for (int i = 0; i < nl; i++) {
        const graph_mac_layer *l = &L[i];
        printf("layer %2d node %3d %-6s %lld %lld %lld %lld %lld %lld %lld | %lld %lld | %dx%d %dx%d %d,%d,%d,%d g%d | %lld\n",
               i, l->node, graph_op_name(l->op), (long long)l->N, (long long)l->M, (long long)l->C, (long long)l->P,
               (long long)l->Q, (long long)l->R, (long long)l->S, (long long)l->H, (long long)l->W, l->stride[0],
               l->stride[1], l->dilation[0], l->dilation[1], l->pad[0], l->pad[1], l->pad[2], l->pad[3], l->group,
               (long long)l->macs);
        total += l->macs;
    }
    printf("total %lld MACs per image in %d layers\n", total, nl);
    free(L);
    graph_free(g);
    return 0;
}
