"""Reductions along the item axis that numpy has no nan-function for, shared by the golden scripts."""
import numpy as np


def first_valid(stack, reverse=False):
    """The first (or last) non-NaN value along the item axis, in item order; NaN where there is none."""
    order = stack[::-1] if reverse else stack
    valid = ~np.isnan(order)
    idx = np.argmax(valid, axis=0)
    picked = np.take_along_axis(order, idx[None], axis=0)[0]
    return np.where(valid.any(axis=0), picked, np.nan)
