"""Scaled dot-product attention, its masks and its maps: a reference solution written as a lesson.

The source flashcard set says that a transformer's attention "can be tested by looking at its
attention map". This file makes that precise. It builds attention from scratch, the masks that
go with it, multi-head attention that reproduces ``torch.nn.MultiheadAttention`` from its
weights, a *check* that tells a right attention map from a wrong one, and a plot that draws a
map the way people read it (query on rows, key on columns, fixed colour range).

Sources
-------
* Vaswani et al., "Attention Is All You Need", NeurIPS 2017, arXiv:1706.03762, section 3.2
  (scaled dot-product attention, multi-head attention, the 1/sqrt(d_k) factor).
* PyTorch 2.13 documentation and source of ``torch.nn.functional.scaled_dot_product_attention``
  (boolean ``attn_mask``: True = take part in attention; ``is_causal`` aligned top-left) and of
  ``torch.nn.MultiheadAttention`` (``in_proj_weight`` stacks [W_q; W_k; W_v]; boolean
  ``key_padding_mask``: True = ignore; the returned weights are averaged over heads by default).
* Matplotlib documentation of ``Axes.imshow`` (``origin='upper'`` puts row 0 at the top;
  ``vmin``/``vmax`` fix the colour range).

Conventions used throughout
---------------------------
* Shapes: queries ``q`` are ``(..., L, D)``, keys ``k`` are ``(..., S, D)``, values ``v`` are
  ``(..., S, Dv)``; the attention weights are ``(..., L, S)``: **one row per query, one column
  per key**. ``...`` is usually ``(B, H)`` (batch, heads).
* A boolean mask means **True = keep** (the key may be attended to), as in
  ``F.scaled_dot_product_attention``. ``nn.MultiheadAttention`` uses the opposite polarity for
  its boolean masks; :func:`multi_head_attention` follows torch there, on purpose, and says so.
* A float mask is **added** to the scores (0 = keep, ``-inf`` = block, anything else biases).
* A query row whose keys are all blocked gets **all-zero weights and a zero output** (no NaN).
  ``F.scaled_dot_product_attention`` in torch 2.13 does the same; a plain softmax would give NaN
  and a ``-1e9`` fill would silently give a uniform row over the blocked keys.

Run ``python attention.py`` to draw the figures of the lesson into the current folder.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

__all__ = [
    "attention",
    "causal_mask",
    "padding_mask",
    "multi_head_attention",
    "check_attention_map",
    "plot_attention",
    "make_figures",
]


# ---------------------------------------------------------------------------------------------
# Task 1: scaled dot-product attention
# ---------------------------------------------------------------------------------------------
def attention(q, k, v, mask=None, is_causal=False, scale=None):
    r"""Scaled dot-product attention; returns ``(output, weights)``.

    $$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}} + M\right) V$$

    * ``q``: ``(..., L, D)``, ``k``: ``(..., S, D)``, ``v``: ``(..., S, Dv)`` torch tensors.
    * ``scale``: the factor on the scores; default ``1 / sqrt(D)`` with ``D = q.shape[-1]``,
      the **per-head** dimension d_k. With unit-variance entries ``q . k`` has variance D, so
      this keeps the scores at unit scale whatever D is, and the softmax out of saturation.
    * ``mask``: ``None``; a **boolean** tensor broadcastable to ``(..., L, S)`` with True = keep;
      or a **float** tensor broadcastable to ``(..., L, S)`` that is added to the scores.
    * ``is_causal``: query ``i`` may only see keys ``j <= i`` (top-left alignment, as
      ``F.scaled_dot_product_attention(is_causal=True)``). It combines with ``mask`` (both apply).

    Returns ``output`` of shape ``(..., L, Dv)`` and ``weights`` of shape ``(..., L, S)``.
    Each row of ``weights`` sums to 1, except a row whose keys are all blocked: that row is all
    zeros and so is its output (no NaN, no uniform row).
    """
    import torch

    ### BEGIN SOLUTION (scores = q k^T * scale, masks as -inf / float bias, softmax over keys, zero blocked rows, @ v)
    D = q.shape[-1]
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(D)  # d_k is the per-head dimension of q and k
    # One score per (query, key) pair: contract the feature axis. transpose, not reshape:
    # reshape(..., D, S) would keep the memory order and scramble the numbers.
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale  # (..., L, S)
    if is_causal:
        # Top-left alignment: query i sees keys 0..i, whatever L and S are.
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        if mask.dtype == torch.bool:
            # -inf, not -1e9: exp(-inf) is exactly 0, and a fully blocked row stays detectable.
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask  # additive bias (may itself hold -inf)
    # A row with every key blocked would be softmax(-inf, ..., -inf) = 0/0 = NaN.
    # Give it finite scores for the softmax and zero its weights afterwards.
    dead = torch.isneginf(scores).all(dim=-1, keepdim=True)
    scores = scores.masked_fill(dead, 0.0)
    # Normalise over the KEYS (last axis): each query distributes one unit of attention.
    weights = torch.softmax(scores, dim=-1)
    weights = weights.masked_fill(dead, 0.0)
    # The output of query i is the weighted average of the value rows.
    return torch.matmul(weights, v), weights
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 2: mask builders
# ---------------------------------------------------------------------------------------------
def causal_mask(L, S, align="top-left"):
    r"""Boolean keep-mask of shape ``(L, S)`` for causal attention (True = keep).

    * ``align="top-left"`` (``F.scaled_dot_product_attention(is_causal=True)``):
      keep ``j <= i``. Query 0 sees key 0 only, whatever ``S`` is.
    * ``align="bottom-right"`` (decoding with a KV cache: the L queries are the *last* L
      positions of the S keys): keep ``j <= i + (S - L)``. The last query sees every key.

    For ``L == S`` both are the usual lower-triangular matrix. With ``L > S`` and bottom-right
    alignment the first ``L - S`` rows keep nothing.
    """
    import torch

    ### BEGIN SOLUTION (compare key index j with query index i, shifted by S - L for bottom-right)
    if align not in ("top-left", "bottom-right"):
        raise ValueError(f"align must be 'top-left' or 'bottom-right', got {align!r}")
    offset = 0 if align == "top-left" else S - L
    i = torch.arange(L).unsqueeze(1)  # query index, down the rows
    j = torch.arange(S).unsqueeze(0)  # key index, along the columns
    return j <= i + offset  # broadcasting gives (L, S); lower triangle (incl. diagonal) kept
    ### END SOLUTION


def padding_mask(lengths, S):
    r"""Boolean key keep-mask of shape ``(B, S)`` from sequence lengths (True = real token).

    ``mask[b, j] = j < lengths[b]``: sequence ``b`` holds ``lengths[b]`` real tokens followed by
    padding. To use it with :func:`attention` on ``(B, H, L, S)`` scores, broadcast it as
    ``mask[:, None, None, :]`` (one row for every head and every query). For
    ``nn.MultiheadAttention(key_padding_mask=...)`` pass its negation: there True = padding.
    """
    import torch

    ### BEGIN SOLUTION (compare positions 0..S-1 with each length)
    lengths = torch.as_tensor(lengths).reshape(-1, 1)  # (B, 1)
    positions = torch.arange(S).reshape(1, -1)  # (1, S)
    return positions < lengths  # (B, S): real tokens come first
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 3: multi-head attention from nn.MultiheadAttention's weights
# ---------------------------------------------------------------------------------------------
def multi_head_attention(query, key, value, params, num_heads, key_padding_mask=None, average_weights=True):
    r"""Multi-head attention with the weights of a ``torch.nn.MultiheadAttention(batch_first=True)``.

    ``params`` holds the module's ``state_dict()`` entries: ``in_proj_weight`` ``(3E, E)`` (the
    stacked rows ``[W_q; W_k; W_v]``), ``in_proj_bias`` ``(3E,)``, ``out_proj.weight`` ``(E, E)``
    and ``out_proj.bias`` ``(E,)``. ``query`` is ``(B, L, E)``; ``key``, ``value`` are ``(B, S, E)``.

    $$\mathrm{head}_h = \mathrm{Attention}(Q W_q^{(h)}, K W_k^{(h)}, V W_v^{(h)}),\quad
      \mathrm{MHA} = \mathrm{concat}(\mathrm{head}_1, \dots, \mathrm{head}_H)\, W_o^\top + b_o$$

    Each head works in ``d_head = E / H`` dimensions and scales its scores by ``1/sqrt(d_head)``
    (not ``1/sqrt(E)``).

    ``key_padding_mask``: ``(B, S)`` boolean in **torch's MultiheadAttention polarity: True =
    padding, ignore this key** (the opposite of :func:`attention`'s keep-mask).

    Returns ``(output (B, L, E), weights)``; ``weights`` is ``(B, L, S)``, the mean over heads,
    when ``average_weights`` is True (torch's default ``average_attn_weights=True``), else
    ``(B, H, L, S)``, one map per head. Unlike torch (which returns NaN there), a query whose
    keys are all padding gets zero attention, so its output is ``out_proj.bias``.
    """
    ### BEGIN SOLUTION (in_proj rows, split heads, masked attention per head, merge, out_proj, average weights if asked)
    B, L, E = query.shape
    S = key.shape[1]
    H = num_heads
    d_head = E // H
    # in_proj_weight stacks the three projections row-wise: [W_q; W_k; W_v], each (E, E).
    w_q, w_k, w_v = params["in_proj_weight"].chunk(3, dim=0)
    b_q, b_k, b_v = params["in_proj_bias"].chunk(3, dim=0)
    # nn.Linear computes x W^T + b.
    q = query @ w_q.T + b_q  # (B, L, E)
    k = key @ w_k.T + b_k  # (B, S, E)
    v = value @ w_v.T + b_v  # (B, S, E)

    # Split E into H heads of d_head features: (B, L, E) -> (B, L, H, d) -> (B, H, L, d).
    def split(x, n):
        return x.reshape(B, n, H, d_head).transpose(1, 2)

    q, k, v = split(q, L), split(k, S), split(v, S)
    keep = None
    if key_padding_mask is not None:
        # torch's True = padding becomes our True = keep; one row for every head and query.
        keep = (~key_padding_mask.bool())[:, None, None, :]
    # attention() scales by 1/sqrt(q.shape[-1]) = 1/sqrt(d_head), the per-head dimension.
    out, weights = attention(q, k, v, mask=keep)  # (B, H, L, d), (B, H, L, S)
    # Merge the heads back: (B, H, L, d) -> (B, L, H, d) -> (B, L, E), then the output projection.
    out = out.transpose(1, 2).reshape(B, L, E)
    out = out @ params["out_proj.weight"].T + params["out_proj.bias"]
    if average_weights:
        weights = weights.mean(dim=1)  # torch reports the head average by default
    return out, weights
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 4: checking an attention map
# ---------------------------------------------------------------------------------------------
def check_attention_map(weights, keep=None, causal=False, atol=1e-5):
    r"""Check the properties every correct attention map has; returns a dict of booleans.

    ``weights``: array or tensor ``(..., L, S)`` (rows = queries, columns = keys).
    ``keep``: optional boolean keep-mask broadcastable to it (True = key allowed).
    ``causal``: whether the map should be causal with top-left alignment.

    Returns ``{"nonnegative", "rows_sum_to_one", "masked_zero", "lower_triangular"}``,
    each True when the property holds (a check that does not apply is True):

    * ``nonnegative``: every weight is ``>= -atol``;
    * ``rows_sum_to_one``: every row with at least one kept key sums to 1 within ``atol``
      (softmax over the keys);
    * ``masked_zero``: every blocked position is 0 within ``atol``; so a fully blocked row is
      all zeros (a ``-1e9`` fill gives a uniform row instead and fails here);
    * ``lower_triangular``: if ``causal``, every weight with key index ``j > i`` is 0 within
      ``atol``.

    Tolerances: float32 weights carry rounding errors around 1e-7 per entry, so compare with a
    tolerance, never with ``==``.
    """
    ### BEGIN SOLUTION (compute each property with numpy on float64 copies)
    w = np.asarray(weights.detach().cpu() if hasattr(weights, "detach") else weights, dtype=np.float64)
    L, S = w.shape[-2], w.shape[-1]
    if keep is None:
        kept = np.ones(w.shape, dtype=bool)
    else:
        k = keep.detach().cpu().numpy() if hasattr(keep, "detach") else np.asarray(keep)
        kept = np.broadcast_to(k.astype(bool), w.shape)
    allowed = kept
    if causal:
        # Top-left causal structure blocks key j > query i as well.
        allowed = kept & np.tril(np.ones((L, S), dtype=bool))
    live = allowed.any(axis=-1)  # rows with at least one allowed key must sum to 1
    row_sums = w.sum(axis=-1)
    result = {
        "nonnegative": bool((w >= -atol).all()),
        "rows_sum_to_one": bool(np.all(np.abs(row_sums[live] - 1.0) <= atol)),
        "masked_zero": bool(np.all(np.abs(w[~kept]) <= atol)),
        "lower_triangular": True,
    }
    if causal:
        upper = np.triu(np.ones((L, S), dtype=bool), k=1)  # strictly above the diagonal
        result["lower_triangular"] = bool(np.all(np.abs(w[..., upper]) <= atol))
    return result
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 5: plotting an attention map
# ---------------------------------------------------------------------------------------------
def plot_attention(weights, ax=None, title=None):
    r"""Draw one attention map ``(L, S)`` with ``ax.imshow``; returns the plotted ``(L, S)`` array.

    Reading conventions that make maps comparable:

    * queries on the **rows** (y axis, labelled "query"), keys on the **columns** (x axis,
      labelled "key"): draw the array as it is, never its transpose;
    * ``origin="upper"`` (imshow's default): query 0 at the top, so a causal map looks
      lower-triangular, like the matrix;
    * a **fixed colour range** ``vmin=0, vmax=1``: otherwise imshow stretches each map to its
      own min and max, and a uniform map looks as contrasted as a one-hot map;
    * a colour bar, so the reader can read values.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ### BEGIN SOLUTION (a 2-D numpy array, imshow untransposed with vmin=0, vmax=1, origin="upper", axis labels)
    w = np.asarray(weights.detach().cpu() if hasattr(weights, "detach") else weights, dtype=np.float64)
    if w.ndim != 2:
        raise ValueError(f"plot_attention draws one (L, S) map, got shape {w.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(3, 3))
    # Rows = queries, columns = keys: imshow draws array[row, col] at (y=row, x=col).
    image = ax.imshow(w, vmin=0.0, vmax=1.0, origin="upper", cmap="viridis", interpolation="nearest")
    ax.set_xlabel("key position")
    ax.set_ylabel("query position")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return w
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Figures of the lesson and the cards (uses the functions above)
# ---------------------------------------------------------------------------------------------
def make_figures(outdir):
    """Save the lesson's attention maps as PNGs in ``outdir``; returns their paths.

    * ``attention-causal.png``: a causal map (L = 5, S = 8, top-left) next to a bottom-right one.
    * ``attention-padded.png``: padded keys (lengths 3 and 5 of S = 8) get zero weight.
    * ``attention-heads.png``: the maps of each head of a small multi-head attention, and
      their average (what ``nn.MultiheadAttention`` returns by default).
    * ``attention-minus1e9.png``: the -1e9 trap: a fully masked row turns uniform.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    gen = torch.Generator().manual_seed(0)
    paths = []

    def save(fig, name):
        path = outdir / f"attention-{name}.png"
        fig.tight_layout()
        fig.savefig(path, dpi=80)
        plt.close(fig)
        paths.append(path)

    # Causal maps, both alignments, L != S.
    L, S, D = 5, 8, 4
    q, k, v = (torch.randn(n, D, generator=gen, dtype=torch.float64) for n in (L, S, S))
    fig, axes = plt.subplots(1, 2, figsize=(7, 3))
    for ax, align in zip(axes, ("top-left", "bottom-right")):
        _, w = attention(q, k, v, mask=causal_mask(L, S, align))
        plot_attention(w, ax=ax, title=f"causal, {align}")
    save(fig, "causal")

    # Key padding: two sequences of lengths 3 and 5 padded to S = 8.
    lengths = [3, 5]
    qb = torch.randn(2, L, D, generator=gen, dtype=torch.float64)
    kb = torch.randn(2, S, D, generator=gen, dtype=torch.float64)
    keep = padding_mask(lengths, S)[:, None, :]  # (B, 1, S): same keys for every query
    _, w = attention(qb, kb, kb, mask=keep)
    fig, axes = plt.subplots(1, 2, figsize=(7, 3))
    for b, ax in enumerate(axes):
        plot_attention(w[b], ax=ax, title=f"length {lengths[b]} of {S}")
    save(fig, "padded")

    # One map per head, and their average. Larger random weights than torch's init make the
    # heads sharp enough to see that they differ.
    torch.manual_seed(0)
    E, H = 8, 2
    mha = torch.nn.MultiheadAttention(E, H, batch_first=True, dtype=torch.float64)
    params = {name: t.detach() for name, t in mha.state_dict().items()}
    params["in_proj_weight"] = torch.randn(3 * E, E, generator=gen, dtype=torch.float64)
    x = torch.randn(1, L, E, generator=gen, dtype=torch.float64)
    y = torch.randn(1, S, E, generator=gen, dtype=torch.float64)
    _, per_head = multi_head_attention(x, y, y, params, H, average_weights=False)
    fig, axes = plt.subplots(1, H + 1, figsize=(3.3 * (H + 1), 3))
    for h in range(H):
        plot_attention(per_head[0, h], ax=axes[h], title=f"head {h}")
    plot_attention(per_head[0].mean(dim=0), ax=axes[H], title="mean over heads")
    save(fig, "heads")

    # The -1e9 trap: row 1 has every key masked.
    keep = torch.ones(3, 5, dtype=torch.bool)
    keep[1] = False
    q3, k5 = torch.randn(3, D, generator=gen), torch.randn(5, D, generator=gen)
    scores = (q3 @ k5.T) / math.sqrt(D)
    wrong = torch.softmax(scores.masked_fill(~keep, -1e9), dim=-1)
    _, right = attention(q3, k5, k5, mask=keep)
    fig, axes = plt.subplots(1, 2, figsize=(7, 2.6))
    plot_attention(wrong, ax=axes[0], title="fill -1e9: row 1 uniform")
    plot_attention(right, ax=axes[1], title="-inf + zeroed row")
    save(fig, "minus1e9")
    return paths


if __name__ == "__main__":
    for p in make_figures("."):
        print(p)
