#!/usr/bin/python3
"""Check a shipped ONNX file against its reference logits, without torch.

Runs the graph with a small float64 numpy interpreter (only the operators the
exporter emits for these models), applying the input normalisation from the
model's metadata_props, and compares with the logits in the .ref.tsv file.
This checks that the reference reflects the exported graph's semantics, the
contract the C executor is held to (within 1e-3).

    /usr/bin/python3 models/check_onnx.py models/lenet5_fmnist.onnx \
        models/lenet5_fmnist.ref.tsv [--top1 N]

Needs python3-onnx and python3-numpy. Exit 0 when the largest absolute
difference is below --tol (default 1e-4) and, with --top1, when the top-1 over
the first N test images matches the reference file's test_top1 (N = 10000).
"""

import argparse
import gzip
import os
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def conv(x, w, b, a):
    g = a.get("group", 1)
    if any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError("dilated Conv")
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - kh) // sh + 1
    ow = (wd + pl + pr - kw) // sw + 1
    y = np.zeros((n, m, oh, ow))
    mg = m // g  # groups: output channels [k mg, (k+1) mg) read inputs [k cg, (k+1) cg)
    for k in range(g):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, k * cg:(k + 1) * cg, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
                y[:, k * mg:(k + 1) * mg] += np.einsum("nchw,mc->nmhw", patch, w[k * mg:(k + 1) * mg, :, i, j])
    if b is not None:
        y += b.reshape(1, m, 1, 1)
    return y


def maxpool(x, a):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    if any(a.get("pads", [0, 0, 0, 0])) or a.get("ceil_mode", 0):
        raise NotImplementedError("padded/ceil MaxPool")
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    y = np.full((n, c, oh, ow), -np.inf)
    for i in range(kh):
        for j in range(kw):
            y = np.maximum(y, x[:, :, i:i + sh * (oh - 1) + 1:sh,
                                j:j + sw * (ow - 1) + 1:sw])
    return y


def run(model, x, macs=None):
    """Returns the graph output for x (float64 [N,1,28,28], normalised); when
    macs is a list, appends (node name, op, weight shape, output shape,
    MACs per image) for every Conv and Gemm."""
    env = {t.name: numpy_helper.to_array(t).astype(np.float64)
           if t.data_type == onnx.TensorProto.FLOAT else numpy_helper.to_array(t)
           for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        a = attrs(node)
        i = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Conv":
            out = conv(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif op == "Relu":
            out = np.maximum(i[0], 0.0)
        elif op == "MaxPool":
            out = maxpool(i[0], a)
        elif op == "Gemm":
            A = i[0].T if a.get("transA", 0) else i[0]
            B = i[1].T if a.get("transB", 0) else i[1]
            out = a.get("alpha", 1.0) * (A @ B)
            if len(i) > 2 and i[2] is not None:
                out = out + a.get("beta", 1.0) * i[2]
        elif op == "Add":
            out = i[0] + i[1]
        elif op == "BatchNormalization":
            xx, s, bb, mu, var = i[:5]
            shp = (1, -1) + (1,) * (xx.ndim - 2)
            out = ((xx - mu.reshape(shp)) / np.sqrt(var.reshape(shp) + a.get("epsilon", 1e-5))
                   * s.reshape(shp) + bb.reshape(shp))
        elif op == "GlobalAveragePool":
            out = i[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            out = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif op == "Reshape":
            shape = [int(d) for d in i[1]]
            shape = [i[0].shape[k] if d == 0 else d for k, d in enumerate(shape)]
            out = i[0].reshape(shape)
        elif op == "Shape":
            out = np.array(i[0].shape, dtype=np.int64)
        elif op == "Gather":
            out = np.take(i[0], i[1], axis=a.get("axis", 0))
        elif op == "Unsqueeze":
            out = i[0]
            for ax in sorted(int(v) for v in i[1]):
                out = np.expand_dims(out, ax)
        elif op == "Concat":
            out = np.concatenate(i, axis=a["axis"])
        elif op == "Constant":
            out = numpy_helper.to_array(a["value"])
            if out.dtype == np.float32:
                out = out.astype(np.float64)
        elif op == "Identity":
            out = i[0]
        else:
            raise NotImplementedError(f"node {node.name}: operator {op}")
        env[node.output[0]] = out
        if macs is not None and op in ("Conv", "Gemm"):
            k = int(np.prod(i[1].shape[1:])) if op == "Conv" else i[1].shape[1 if a.get("transB", 0) else 0]
            macs.append((node.name, op, tuple(i[1].shape), tuple(out.shape[1:]),
                         int(np.prod(out.shape[1:])) * k))
    return env[model.graph.output[0].name]


def load_cifar_test(data_dir, limit):
    """test_batch.bin of CIFAR-10 batches: [N,3,32,32] pixel/255, labels."""
    r = np.fromfile(os.path.join(data_dir, "test_batch.bin"), np.uint8).reshape(-1, 3073)[:limit]
    return r[:, 1:].reshape(-1, 3, 32, 32).astype(np.float64) / 255.0, r[:, 0].copy()


def load_test(data_dir, limit):
    if os.path.exists(os.path.join(data_dir, "test_batch.bin")):
        return load_cifar_test(data_dir, limit)
    with gzip.open(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz")) as f:
        raw = f.read()
    magic, n, h, w = struct.unpack(">IIII", raw[:16])
    assert magic == 0x803 and (h, w) == (28, 28)
    img = np.frombuffer(raw[16:], np.uint8).reshape(n, 1, h, w)[:limit]
    with gzip.open(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz")) as f:
        raw = f.read()
    lab = np.frombuffer(raw[8:], np.uint8)[:limit]
    return img.astype(np.float64) / 255.0, lab


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("onnx")
    ap.add_argument("ref")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--top1", type=int, default=0,
                    help="also compute top-1 over the first N test images")
    ap.add_argument("--data", default=DATA_DIR,
                    help="Fashion-MNIST's IDX folder, or a folder of CIFAR-10 batches (test_batch.bin)")
    ap.add_argument("--macs", action="store_true",
                    help="print the MACs per image of every Conv/Gemm node")
    args = ap.parse_args()

    model = onnx.load(args.onnx)
    meta = {p.key: p.value for p in model.metadata_props}
    # one value, or a comma list with one per input channel
    mean = np.array([float(np.float32(v)) for v in meta.get("axsearch.input_mean", "0").split(",")])
    std = np.array([float(np.float32(v)) for v in meta.get("axsearch.input_std", "1").split(",")])
    ref, header = [], {}
    with open(args.ref) as f:
        for line in f:
            if line.startswith("#"):
                for tok in line[1:].split():
                    if "=" in tok:
                        k, v = tok.split("=", 1)
                        header.setdefault(k, v)
            elif line.strip():
                ref.append([float(v) for v in line.split("\t")])
    ref = np.array(ref)
    n = max(ref.shape[0], args.top1)
    x, lab = load_test(args.data, n)
    x = (x - mean.reshape(1, -1, 1, 1)) / std.reshape(1, -1, 1, 1)
    if args.macs:
        macs = []
        run(model, x[:1], macs)
        for name, op, wshape, oshape, m in macs:
            print(f"{name}\t{op}\tW{list(wshape)}\tout{list(oshape)}\t{m}")
        print(f"total MACs per image: {sum(m[-1] for m in macs)} in {len(macs)} layers")
    logits = np.concatenate([run(model, x[k:k + 500]) for k in range(0, n, 500)])
    err = np.abs(logits[:ref.shape[0]] - ref).max()
    ok = err < args.tol
    ref_top1 = (ref.argmax(1) == logits[:ref.shape[0]].argmax(1)).mean()
    print(f"{args.onnx}: max|logit - ref| = {err:.3g} over {ref.shape[0]} images,"
          f" argmax agreement {ref_top1:.3f}")
    if args.top1:
        top1 = (logits.argmax(1) == lab).mean()
        print(f"top1 over {n} test images = {top1:.4f}"
              f" (reference file: {header.get('test_top1')})")
        # float64 here vs float32 in torch may flip a near-tie or two.
        if n == 10000 and abs(top1 - float(header.get("test_top1", -1))) > 3e-4:
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
