#!/usr/bin/python3
"""Writes the image fixtures of tests/test_imgdir.c and Pillow's answers.

Needs Debian's python3-pil and python3-numpy; run from the repository root:

    /usr/bin/python3 tests/imgdir/make.py

The fixtures are small PNG and JPEG files of odd sizes and every PNG
colour type axsearch meets (RGB, grey, RGBA, palette); the answers are
what Pillow (Debian's python3-pil 9.4, on Debian's libjpeg-turbo and
zlib) makes of them:
  dec_NAME.bin            Image.open(f).convert("RGB"), [H][W][3]
  rs_NAME_WxH.bin         ...convert("RGB").resize((W, H), BILINEAR)
  tf_NAME_CxHxW_R.bin     torchvision's evaluation transform as axsearch
                          defines it (fitness/net/imgdir.h): convert("RGB"),
                          convert("L") when C = 1, Resize(R) by
                          torchvision's size rule, CenterCrop((H, W)) with
                          Python's round, then [C][H][W] bytes
ref.tsv lists the cases: kind, file, arguments, answer file.
"""
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)


def smooth(h, w, c):
    """Random but smooth pixels: a resize of noise, so JPEG keeps detail."""
    small = rng.integers(0, 256, size=(max(2, h // 4), max(2, w // 4), c), dtype=np.uint8)
    img = Image.fromarray(small.squeeze(-1) if c == 1 else small)
    return np.asarray(img.resize((w, h), Image.NEAREST))


def save(name, arr, mode, **kw):
    Image.fromarray(arr, mode).save(os.path.join(HERE, name), **kw)


save("a.png", smooth(23, 37, 3), "RGB")
save("b.png", smooth(41, 19, 1).reshape(41, 19), "L")
save("c.png", np.concatenate([smooth(44, 30, 3), rng.integers(0, 256, (44, 30, 1), dtype=np.uint8)], 2), "RGBA")
pal = Image.fromarray(smooth(18, 20, 3), "RGB").convert("P", palette=Image.ADAPTIVE, colors=16)
pal.save(os.path.join(HERE, "p.png"))
save("d.jpg", smooth(33, 45, 3), "RGB", quality=90)
save("e.jpg", smooth(31, 29, 1).reshape(31, 29), "L", quality=85)

FILES = ["a.png", "b.png", "c.png", "p.png", "d.jpg", "e.jpg"]
RESIZES = [("a.png", 16, 12), ("a.png", 50, 70), ("c.png", 7, 29), ("d.jpg", 10, 9), ("e.jpg", 64, 3),
           ("p.png", 20, 5)]
TRANSFORMS = [("a.png", 3, 8, 8, 9), ("a.png", 3, 10, 12, 0), ("b.png", 1, 16, 16, 0), ("c.png", 3, 5, 7, 7),
              ("d.jpg", 1, 20, 20, 24), ("d.jpg", 3, 32, 32, 33), ("e.jpg", 3, 9, 9, 0), ("p.png", 3, 18, 18, 18)]

rows = []
for f in FILES:
    out = "dec_%s.bin" % f.replace(".", "_")
    np.asarray(Image.open(os.path.join(HERE, f)).convert("RGB")).tofile(os.path.join(HERE, out))
    rows.append(("decode", f, "-", out))
for f, w, h in RESIZES:
    out = "rs_%s_%dx%d.bin" % (f.replace(".", "_"), w, h)
    img = Image.open(os.path.join(HERE, f)).convert("RGB").resize((w, h), Image.BILINEAR)
    np.asarray(img).tofile(os.path.join(HERE, out))
    rows.append(("resize", f, "%d,%d" % (w, h), out))
for f, c, h, w, r in TRANSFORMS:
    img = Image.open(os.path.join(HERE, f)).convert("RGB")
    if c == 1:
        img = img.convert("L")
    size = r if r else (min(h, w) * 8 + 3) // 7
    iw, ih = img.size
    short, long_ = (iw, ih) if iw <= ih else (ih, iw)
    ns, nl = size, int(size * long_ / short)
    nw, nh = (ns, nl) if iw <= ih else (nl, ns)
    img = img.resize((nw, nh), Image.BILINEAR)
    top, left = int(round((nh - h) / 2.0)), int(round((nw - w) / 2.0))
    a = np.asarray(img.crop((left, top, left + w, top + h)))
    a = a[None] if c == 1 else a.transpose(2, 0, 1)
    out = "tf_%s_%dx%dx%d_%d.bin" % (f.replace(".", "_"), c, h, w, r)
    np.ascontiguousarray(a).tofile(os.path.join(HERE, out))
    rows.append(("transform", f, "%d,%d,%d,%d" % (c, h, w, r), out))
with open(os.path.join(HERE, "ref.tsv"), "w") as t:
    t.write("# kind\tfile\targs\tanswer (written by tests/imgdir/make.py with Pillow %s)\n"
            % Image.__version__)
    for r in rows:
        t.write("\t".join(r) + "\n")
