/* axsearch onnx-info MODEL: imports a model as the emulator will (batched,
 * unless --unbatched) and prints the resulting graph: every node with its
 * input and output shapes, then the MAC layers numbered 0..L-1 with their
 * loop-nest dimensions. Exit 2 if the model cannot be imported. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/args.h"
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

static void usage(FILE *out)
{
    fprintf(out, "usage: axsearch onnx-info [--unbatched] MODEL\n");
}

typedef struct onnx_info_opts {
    const char *path;
    int unbatched;
} onnx_info_opts;

static int onnx_info_parse(int argc, char **argv, onnx_info_opts *o)
{
    *o = (onnx_info_opts){NULL, 0};
    const args_opt opts[] = {
        {.name = "unbatched", .kind = ARGS_FLAG, .dst = &o->unbatched},
    };
    /* No usage in the spec: a bad option gets getopt's message alone. */
    const args_spec s = {.cmd = "onnx-info", .opts = opts, .n_opts = sizeof opts / sizeof opts[0],
                         .dash_h = 1};
    int first = args_parse(&s, argc, argv);
    if (first == ARGS_HELP)
        usage(stdout);
    if (first < 0)
        return args_status(first);
    if (first != argc - 1) {
        usage(stderr);
        return 2;
    }
    o->path = argv[first];
    return ARGS_RUN;
}

/* The imported graph and its MAC layers; onnx_info_out_clear frees. */
typedef struct onnx_info_out {
    graph *g;
    graph_mac_layer *layers; /* [n_layers] */
    int n_layers;
} onnx_info_out;

static void onnx_info_out_clear(onnx_info_out *r)
{
    free(r->layers);
    graph_free(r->g);
}

static int onnx_info_run(const onnx_info_opts *o, onnx_info_out *r, ax_err *err)
{
    onnx_import_opts io = {!o->unbatched, 0, NULL};
    int rc = onnx_import_file(o->path, &io, &r->g, err);
    if (rc == AX_OK)
        rc = graph_mac_layers(r->g, &r->layers, &r->n_layers, err);
    return rc;
}

/* Inputs, nodes with their operand and result shapes, outputs. */
static void print_graph(const char *path, const graph *g)
{
    char norm[1024];
    graph_input_norm_text(g, norm, sizeof norm);
    printf("%s: opset %d, %s, input %s\n", path, g->opset, g->batched ? "batched" : "unbatched", norm);
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
}

static void print_layers(const graph_mac_layer *L, int nl)
{
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
}

int cmd_onnx_info(int argc, char **argv)
{
    onnx_info_opts o;
    int status = onnx_info_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    onnx_info_out r = {0};
    ax_err err = {0};
    int rc = onnx_info_run(&o, &r, &err);
    if (rc == AX_OK) {
        print_graph(o.path, r.g);
        print_layers(r.layers, r.n_layers);
    } else {
        fprintf(stderr, "axsearch onnx-info: %s\n", err.msg);
    }
    onnx_info_out_clear(&r);
    return rc == AX_OK ? 0 : rc == AX_EINPUT ? 2 : 1;
}
