#!/usr/bin/python3
"""Write Colour Fashion-MNIST: Fashion-MNIST as CIFAR-10 binary batches.

Needs only Debian's python3-numpy and the dataset-fashion-mnist package.

    /usr/bin/python3 models/colour_fmnist.py OUT_DIR

The colour variant exists to give axsearch a three-channel dataset in the
CIFAR-10 format that every machine with the Debian package can rebuild
byte for byte (CIFAR-10 itself is not packaged, and nothing is downloaded).
It is defined with integers only, so that the C tests can rebuild it too
(tests/test_models.c does, independently of this script):

  * each 28 x 28 image is padded with 2 black pixels on every side to the
    32 x 32 of a CIFAR record;
  * image i of its file (0-based, training and test files counted apart)
    is tinted with TINTS[(5 * i + 3) % 8]: channel c of pixel p is
    (p * tint[c] + 127) // 255;
  * the label is Fashion-MNIST's.

OUT_DIR receives data_batch_1.bin .. data_batch_5.bin (the 60,000 training
images, 12,000 per batch, in file order) and test_batch.bin (10,000): 3,073
bytes per record, a label byte, then the R, G and B planes, rows first.
axsearch's splits apply unchanged: training images 0..54,999 train and
calibrate, 55,000..59,999 are the search split, test_batch.bin the test
split. Files are written under a temporary name and renamed.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import DATA_DIR, load_split  # noqa: E402

# (R, G, B) multipliers out of 255
TINTS = np.array([(255, 255, 255), (255, 64, 64), (64, 255, 64), (64, 64, 255),
                  (255, 255, 64), (255, 64, 255), (64, 255, 255), (255, 160, 32)],
                 dtype=np.int64)
PER_BATCH = 12000


def colour(img):
    """uint8 [N,28,28] -> uint8 [N,3,32,32] by the rule above."""
    n = img.shape[0]
    padded = np.zeros((n, 32, 32), dtype=np.int64)
    padded[:, 2:30, 2:30] = img
    tint = TINTS[(5 * np.arange(n) + 3) % 8]                  # [N,3]
    out = (padded[:, None, :, :] * tint[:, :, None, None] + 127) // 255
    return out.astype(np.uint8)


def write_batch(path, images, labels):
    rec = np.empty((images.shape[0], 3073), dtype=np.uint8)
    rec[:, 0] = labels
    rec[:, 1:] = images.reshape(images.shape[0], 3072)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(rec.tobytes())
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: colour_fmnist.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    img, lab = load_split(DATA_DIR, "train")
    timg, tlab = load_split(DATA_DIR, "t10k")
    x = colour(img)
    for b in range(5):
        s = slice(b * PER_BATCH, (b + 1) * PER_BATCH)
        write_batch(os.path.join(out, "data_batch_%d.bin" % (b + 1)), x[s], lab[s])
    write_batch(os.path.join(out, "test_batch.bin"), colour(timg), tlab)
    print("wrote %s: 5 training batches of %d and a test batch of %d" % (out, PER_BATCH, timg.shape[0]))


if __name__ == "__main__":
    main()
