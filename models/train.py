#!/usr/bin/python3
"""Train and export the Fashion-MNIST networks shipped in models/.

Needs Debian's python3-torch, python3-numpy and python3-onnx (util/deps.sh
--train) and the dataset-fashion-mnist package; nothing is downloaded.
Run it with Debian's interpreter (/usr/bin/python3): a python3 earlier on PATH
(pyenv, venv) does not see the Debian modules.

    /usr/bin/python3 models/train.py --model lenet5 --epochs 40 --seed 1
    /usr/bin/python3 models/train.py --model resnet14 --epochs 24 --seed 1

Splits (fixed; the search relies on them): training images 0..54,999 train
the weights (and are the C side's calibration set); 55,000..59,999 are the
validation (search) split, only evaluated and logged here, never used for
training, early stopping or selection (the model after the last epoch is the
one exported); the 10,000 t10k images are the test split.

Input convention of the exported graphs: tensor "input", float [N,1,28,28],
value = pixel/255. The per-pixel normalisation (x - mean)/std is NOT in the
graph; mean and std are stored as strings in the model's metadata_props under
axsearch.input_mean and axsearch.input_std and applied by the importer.
Output "logits", float [N,10], no softmax.

Writes, into --out-dir (default: the directory of this script):
  NAME.onnx          opset 13, eval mode, constant folding on
  NAME.ref.tsv       float top-1 (test, validation) and the float logits of the
                     first 100 test images, from the eval-mode float32 model
  test/NAME_*.onnx   unfolded variants for the importer's tests
"""

import argparse
import gzip
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = "/usr/share/datasets/fashion-mnist"
TRAIN_END = 55000   # images [0, TRAIN_END) of the training file train
VAL_END = 60000     # images [TRAIN_END, VAL_END) are the validation split
REF_IMAGES = 100    # test images whose logits go into the reference file
OPSET = 13


# ---------------------------------------------------------------- data

def read_idx(path, magic, ndim):
    """Reads a gzip'd IDX file into a uint8 numpy array; checks magic and size."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 + 4 * ndim:
        sys.exit(f"{path}: truncated header")
    got, = struct.unpack(">I", raw[:4])
    if got != magic:
        sys.exit(f"{path}: magic 0x{got:08x}, expected 0x{magic:08x}")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    n = int(np.prod(dims))
    body = raw[4 + 4 * ndim:]
    if len(body) != n:
        sys.exit(f"{path}: {len(body)} data bytes, expected {n}")
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def load_split(data_dir, prefix):
    img = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte.gz"),
                   0x00000803, 3)
    lab = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte.gz"),
                   0x00000801, 1)
    if img.shape[0] != lab.shape[0] or img.shape[1:] != (28, 28):
        sys.exit(f"{data_dir}/{prefix}: unexpected shapes {img.shape} {lab.shape}")
    return img, lab


def load_cifar(data_dir, prefix):
    """CIFAR-10 batches: 'train' is data_batch_1..5.bin (those present,
    without gaps), 't10k' is test_batch.bin. -> uint8 [N,3,32,32], labels."""
    names = ["test_batch.bin"] if prefix == "t10k" else \
        [f"data_batch_{b}.bin" for b in range(1, 6)
         if os.path.exists(os.path.join(data_dir, f"data_batch_{b}.bin"))]
    recs = []
    for n in names:
        raw = np.fromfile(os.path.join(data_dir, n), dtype=np.uint8)
        if raw.size == 0 or raw.size % 3073:
            sys.exit(f"{data_dir}/{n}: not a whole number of 3073-byte records")
        recs.append(raw.reshape(-1, 3073))
    r = np.concatenate(recs)
    return r[:, 1:].reshape(-1, 3, 32, 32), r[:, 0].copy()


def to_tensor(img):
    """uint8 [N,28,28] or [N,C,H,W] -> float32 [N,C,H,W] holding pixel/255."""
    x = torch.from_numpy(img.astype(np.float32) / np.float32(255.0))
    return x.unsqueeze(1) if x.dim() == 3 else x


def augment(x, gen, pad=2):
    """Random crop with zero padding `pad` (in pixel/255 space, i.e. black)
    and random horizontal flip; x is float [B,1,28,28]."""
    b, _, h, w = x.shape
    xp = F.pad(x, (pad, pad, pad, pad))
    offs = torch.randint(0, 2 * pad + 1, (b, 2), generator=gen)
    flip = torch.rand(b, generator=gen) < 0.5
    out = torch.empty_like(x)
    # Group the batch by offset so each group is one slicing op.
    key = offs[:, 0] * (2 * pad + 1) + offs[:, 1]
    for k in torch.unique(key).tolist():
        idx = (key == k).nonzero(as_tuple=True)[0]
        dy, dx = divmod(k, 2 * pad + 1)
        out[idx] = xp[idx, :, dy:dy + h, dx:dx + w]
    return torch.where(flip.view(b, 1, 1, 1), out.flip(3), out)


# ---------------------------------------------------------------- models

class LeNet5(nn.Module):
    """LeNet-5 style: conv5x5(6, pad 2) relu maxpool2, conv5x5(16) relu
    maxpool2, fc120 relu, fc84 relu, fc10."""

    def __init__(self, cin=1, pad=2):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, 6, 5, padding=pad)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        # view(size(0), -1) makes the exporter emit the Shape/Gather/
        # Unsqueeze/Concat -> Reshape chain the importer must fold.
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.proj is None else self.proj(x)
        return F.relu(y + s)


class ResNet14(nn.Module):
    """CIFAR-style ResNet (He et al. 2016, sec. 4.2) with 16/32/64 channels
    and 2 basic blocks per stage: 1 stem + 12 block convs + fc = 14 weighted
    layers, plus 2 projection (1x1) convs."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.layer1 = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 16, 1))
        self.layer2 = nn.Sequential(BasicBlock(16, 32, 2), BasicBlock(32, 32, 1))
        self.layer3 = nn.Sequential(BasicBlock(32, 64, 2), BasicBlock(64, 64, 1))
        self.fc = nn.Linear(64, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = F.adaptive_avg_pool2d(x, 1)
        x = torch.flatten(x, 1)
        return self.fc(x)


class LeNet5Colour(LeNet5):
    """LeNet-5 as LeCun et al. (1998) ran it on 32 x 32 inputs: no padding
    in the first convolution; here with 3 input channels."""

    def __init__(self):
        super().__init__(cin=3, pad=0)


class DWSeparable(nn.Module):
    """MobileNet's depthwise-separable block (Howard et al. 2017, fig. 3):
    depthwise 3x3 (groups = channels), BN, ReLU, pointwise 1x1, BN, ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.dw = nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False)
        self.bn1 = nn.BatchNorm2d(cin)
        self.pw = nn.Conv2d(cin, cout, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn2(self.pw(F.relu(self.bn1(self.dw(x))))))


class MobileNetS(nn.Module):
    """A small MobileNet-style network for 28 x 28 inputs: a 3x3 stem of 16
    channels, six depthwise-separable blocks (16-32 s2, 32-64, 64-64 s2,
    64-128, 128-128 s2, 128-128), global average pooling, fc10."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        cfg = [(16, 32, 2), (32, 64, 1), (64, 64, 2), (64, 128, 1), (128, 128, 2), (128, 128, 1)]
        self.blocks = nn.Sequential(*[DWSeparable(a, b, s) for a, b, s in cfg])
        self.fc = nn.Linear(128, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.blocks(F.relu(self.bn(self.stem(x))))
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


# Per-model defaults; the command line overrides epochs/lr/batch/wd.
# shape: the input [C, H, W]; data: "idx" (Fashion-MNIST) or "cifar"
# (CIFAR-10 batches, e.g. models/colour_fmnist.py's Colour Fashion-MNIST).
RECIPES = {
    "lenet5": dict(cls=LeNet5, name="lenet5_fmnist", epochs=40, lr=0.05,
                   batch=128, wd=5e-4, warmup=1, shape=(1, 28, 28), data="idx"),
    "resnet14": dict(cls=ResNet14, name="resnet14_fmnist", epochs=24, lr=0.1,
                     batch=128, wd=5e-4, warmup=1, shape=(1, 28, 28), data="idx"),
    "lenet5c": dict(cls=LeNet5Colour, name="lenet5_cfmnist", epochs=20, lr=0.05,
                    batch=128, wd=5e-4, warmup=1, shape=(3, 32, 32), data="cifar"),
    "mobilenet": dict(cls=MobileNetS, name="mobilenet_fmnist", epochs=10, lr=0.1,
                      batch=128, wd=4e-5, warmup=1, shape=(1, 28, 28), data="idx"),
}


# ---------------------------------------------------------------- training

def normalize(x, mean, std):
    return (x - mean) / std


@torch.no_grad()
def evaluate(model, x, y, mean, std, batch=1000):
    """Top-1 of the eval-mode model; x is pixel/255."""
    model.eval()
    correct = 0
    for i in range(0, x.shape[0], batch):
        logits = model(normalize(x[i:i + batch], mean, std))
        correct += int((logits.argmax(1) == y[i:i + batch]).sum())
    return correct / x.shape[0]


def train(model, r, xtr, ytr, xval, yval, mean, std, seed, log):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=r["lr"], momentum=0.9,
                          nesterov=True, weight_decay=r["wd"])
    n = xtr.shape[0]
    steps_per_epoch = math.ceil(n / r["batch"])
    total = r["epochs"] * steps_per_epoch
    warm = r["warmup"] * steps_per_epoch

    def lr_at(step):
        # Linear warm-up, then cosine decay to 0 over the remaining steps.
        if step < warm:
            return r["lr"] * (step + 1) / warm
        t = (step - warm) / max(1, total - warm)
        return 0.5 * r["lr"] * (1.0 + math.cos(math.pi * t))

    step = 0
    for epoch in range(r["epochs"]):
        t0 = time.time()
        model.train()
        perm = torch.randperm(n, generator=gen)
        loss_sum, correct = 0.0, 0
        for i in range(0, n, r["batch"]):
            idx = perm[i:i + r["batch"]]
            xb = normalize(augment(xtr[idx], gen), mean, std)
            yb = ytr[idx]
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            loss_sum += float(loss) * idx.numel()
            correct += int((logits.argmax(1) == yb).sum())
        val = evaluate(model, xval, yval, mean, std)
        log(f"epoch {epoch + 1}/{r['epochs']} lr={lr_at(step - 1):.5f} "
            f"loss={loss_sum / n:.4f} train_aug_top1={correct / n:.4f} "
            f"val_top1={val:.4f} seconds={time.time() - t0:.1f}")


# ---------------------------------------------------------------- export

def export(model, path, fold, mode, mean_s, std_s, note, shape):
    import onnx
    os.makedirs(os.path.dirname(path), exist_ok=True)
    model.eval()
    dummy = torch.zeros(1, *shape)
    torch.onnx.export(model, dummy, path, input_names=["input"],
                      output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      opset_version=OPSET, do_constant_folding=fold,
                      training=mode)
    m = onnx.load(path)
    for node in m.graph.node:
        node.doc_string = ""    # may carry source paths of this machine
    m.doc_string = note
    del m.metadata_props[:]
    for k, v in (("axsearch.input_mean", mean_s), ("axsearch.input_std", std_s)):
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, path)
    ops = sorted({n.op_type for n in m.graph.node})
    return ops, len(m.graph.node)


def write_reference(path, name, test_top1, val_top1, logits, mean_s, std_s,
                    seed, epochs):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"# model={name}.onnx float32 eval-mode reference\n")
        f.write(f"# test_top1={test_top1:.4f} test_images=10000\n")
        f.write(f"# val_top1={val_top1:.4f} val_images={VAL_END - TRAIN_END}"
                f" (training images {TRAIN_END}..{VAL_END - 1})\n")
        f.write(f"# input=pixel/255 then (x-{mean_s})/{std_s}"
                f" (metadata axsearch.input_mean/input_std)\n")
        f.write(f"# trained: seed={seed} epochs={epochs}\n")
        f.write(f"# rows: logits of test images 0..{logits.shape[0] - 1},"
                f" 10 tab-separated columns (classes 0..9)\n")
        for row in logits:
            f.write("\t".join("%.9g" % float(v) for v in row) + "\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=sorted(RECIPES), required=True)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--wd", type=float)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=DATA_DIR)
    ap.add_argument("--out-dir", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--ckpt", help="save the trained state_dict here")
    ap.add_argument("--from-ckpt", help="skip training; export this state_dict "
                    "(give the --epochs/--seed it was trained with: they go "
                    "into the reference file's header)")
    args = ap.parse_args()

    r = dict(RECIPES[args.model])
    for k in ("epochs", "lr", "batch", "wd"):
        if getattr(args, k) is not None:
            r[k] = getattr(args, k)

    def log(msg):
        print(time.strftime("%H:%M:%S"), msg, flush=True)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)

    load = load_split if r["data"] == "idx" else load_cifar
    if r["data"] == "cifar" and args.data == DATA_DIR:
        sys.exit(f"--model {args.model} reads CIFAR-10 batches: give --data "
                 "(e.g. a folder written by models/colour_fmnist.py)")
    img, lab = load(args.data, "train")
    timg, tlab = load(args.data, "t10k")
    if img.shape[0] != VAL_END:
        sys.exit(f"expected {VAL_END} training images, found {img.shape[0]}")
    xtr, ytr = to_tensor(img[:TRAIN_END]), torch.from_numpy(lab[:TRAIN_END].astype(np.int64))
    xval, yval = to_tensor(img[TRAIN_END:]), torch.from_numpy(lab[TRAIN_END:].astype(np.int64))
    xte, yte = to_tensor(timg), torch.from_numpy(tlab.astype(np.int64))

    # Normalisation constants from the training split only, rounded to the
    # 4-digit strings stored in the metadata; the float32 values of those
    # strings are what training, the reference and the importer all use.
    # Colour: one mean and std per channel, comma lists in the metadata.
    px = img[:TRAIN_END].astype(np.float64) / 255.0
    px = px[:, None] if px.ndim == 3 else px                  # [N,C,H,W]
    mean_s = ",".join("%.4f" % v for v in px.mean(axis=(0, 2, 3)))
    std_s = ",".join("%.4f" % v for v in px.std(axis=(0, 2, 3)))
    mean = np.array([np.float32(v) for v in mean_s.split(",")], dtype=np.float32)
    std = np.array([np.float32(v) for v in std_s.split(",")], dtype=np.float32)
    mean_t = torch.from_numpy(mean).view(1, -1, 1, 1)
    std_t = torch.from_numpy(std).view(1, -1, 1, 1)
    log(f"model={args.model} recipe={ {k: v for k, v in r.items() if k != 'cls'} } "
        f"seed={args.seed} threads={torch.get_num_threads()} mean={mean_s} std={std_s}")

    model = r["cls"]()
    t0 = time.time()
    if args.from_ckpt:
        model.load_state_dict(torch.load(args.from_ckpt))
    else:
        train(model, r, xtr, ytr, xval, yval, mean_t, std_t, args.seed, log)
        log(f"training seconds={time.time() - t0:.0f}")
        if args.ckpt:
            os.makedirs(os.path.dirname(os.path.abspath(args.ckpt)), exist_ok=True)
            torch.save(model.state_dict(), args.ckpt)

    model.eval()
    test_top1 = evaluate(model, xte, yte, mean_t, std_t)
    val_top1 = evaluate(model, xval, yval, mean_t, std_t)
    log(f"float test_top1={test_top1:.4f} val_top1={val_top1:.4f}")
    with torch.no_grad():
        ref = model(normalize(xte[:REF_IMAGES], mean_t, std_t)).numpy()

    name = r["name"]
    shape = ",".join(str(d) for d in r["shape"])
    note = (f"axsearch {name}: {'Fashion-MNIST' if r['data'] == 'idx' else 'CIFAR-10 batches'}, "
            f"input pixel/255 [N,{shape}], "
            f"normalised by the importer with metadata axsearch.input_mean/std; "
            f"output logits [N,10]; float test top-1 {test_top1:.4f}")
    from torch.onnx import TrainingMode
    outs = [(os.path.join(args.out_dir, name + ".onnx"), True, TrainingMode.EVAL)]
    if args.model == "lenet5":
        outs.append((os.path.join(args.out_dir, "test", name + "_nofold.onnx"),
                     False, TrainingMode.EVAL))
    elif args.model == "resnet14":
        outs.append((os.path.join(args.out_dir, "test", name + "_bn.onnx"),
                     False, TrainingMode.PRESERVE))
    for path, fold, mode in outs:
        ops, nn_ = export(model, path, fold, mode, mean_s, std_s, note, r["shape"])
        log(f"wrote {path} ({os.path.getsize(path)} bytes, {nn_} nodes): {' '.join(ops)}")
    refpath = os.path.join(args.out_dir, name + ".ref.tsv")
    write_reference(refpath, name, test_top1, val_top1, ref, mean_s, std_s,
                    args.seed, r["epochs"])
    log(f"wrote {refpath}")


if __name__ == "__main__":
    main()
