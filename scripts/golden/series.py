"""Reductions along the item axis that numpy has no nan-function for, shared by the golden scripts."""
import json

import numpy as np


def first_valid(stack, reverse=False):
    """The first (or last) non-NaN value along the item axis, in item order; NaN where there is none."""
    order = stack[::-1] if reverse else stack
    valid = ~np.isnan(order)
    idx = np.argmax(valid, axis=0)
    picked = np.take_along_axis(order, idx[None], axis=0)[0]
    return np.where(valid.any(axis=0), picked, np.nan)


def load_items(job_path):
    """The job's items (path, parsed JSON) in datetime order, and the job itself."""
    job = json.loads(job_path.read_text())
    paths = [(job_path.parent / href).resolve() for href in job["items"]]
    items = [(p, json.loads(p.read_text())) for p in paths]
    return sorted(items, key=lambda pi: pi[1]["properties"]["datetime"]), job
