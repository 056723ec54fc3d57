#!/usr/bin/python3
"""Writes the .npy files tests/test_npy.c reads, with NumPy itself (the
reference writer): python3 tests/npy/make.py (needs python3-numpy; the
files are kept in the repository, so the tests do not need NumPy)."""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def save(name, a, version=None):
    with open(os.path.join(here, name), "wb") as f:
        np.lib.format.write_array(f, a, version=version)


images = (np.arange(2 * 3 * 4 * 2, dtype=np.int64) * 37 % 256).astype(np.uint8)
save("images_u1.npy", images.reshape(2, 3, 4, 2))            # NHWC, C = 2
save("images_u1_v2.npy", images.reshape(2, 2, 3, 4), (2, 0))  # NCHW, format 2.0
save("scalar_u1.npy", np.array(7, dtype=np.uint8))
save("empty_u1.npy", np.zeros((0, 28, 28), dtype=np.uint8))
save("labels_i8.npy", np.array([0, 9, 255, 3], dtype="<i8"))
save("labels_u2_be.npy", np.array([1, 2, 3], dtype=">u2"))
save("labels_i1.npy", np.array([0, 5, 127], dtype="i1"))
save("labels_u4.npy", np.array([4, 4, 0, 1, 2], dtype="<u4"))
save("labels_negative.npy", np.array([1, -1], dtype="<i4"))
save("labels_256.npy", np.array([255, 256], dtype="<u2"))
save("labels_2d.npy", np.array([[1, 2], [3, 4]], dtype="u1"))
save("fortran_u1.npy", np.asfortranarray(images.reshape(6, 8)))
save("float32.npy", np.zeros(3, dtype=np.float32))
