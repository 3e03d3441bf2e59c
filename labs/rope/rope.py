"""Rotary position embedding (RoPE), and a layer test that a wrong RoPE fails.

This file is the reference solution of the lab ``rope``, written as a lesson. Read it
top to bottom: every function states its formula, every step says why it is there.

RoPE (Su et al., "RoFormer: Enhanced Transformer with Rotary Position Embedding",
arXiv:2104.09864) encodes the position ``m`` of a token by *rotating* its query and key
vectors, inside every attention layer, after the q/k projections. The head dimension
``d`` is cut into ``d/2`` pairs of coordinates; pair ``i`` is rotated in its plane by the
angle ``m * theta_i`` with ``theta_i = base**(-2i/d)`` (``base = 10000``). Because a
rotation by ``m*theta`` followed by the inverse rotation by ``n*theta`` is a rotation by
``(m-n)*theta``, the dot product of a rotated query and a rotated key depends on the
positions only through their offset ``m - n``::

    <R_m q, R_n k> = <q, R_(n-m) k>

This is *not* the absolute sinusoidal encoding of Vaswani et al., "Attention Is All You
Need" (arXiv:1706.03762), which *adds* a sin/cos table to the token embeddings once, at
the input. :func:`additive_sinusoidal` keeps that encoding here for contrast: the lab's
layer test (:func:`position_dependence`) must tell the two apart.

Pair convention used by this lab: **interleaved pairs** ``(x[2i], x[2i+1])``, as in the
RoFormer paper and Meta's LLaMA code (which views the pairs as complex numbers). Hugging
Face ``transformers`` (``rotate_half``) and GPT-NeoX pair the two *halves* instead:
``(x[i], x[i + d/2])``. Both are the same rotation up to a fixed permutation of the
coordinates (Task 3).

Other sources: EleutherAI blog, "Rotary Embeddings: A Relative Revolution" (2021);
``apply_rotary_emb`` in facebookresearch/llama ``model.py``; ``rotate_half`` and
``apply_rotary_pos_emb`` in transformers' ``modeling_llama.py``.

Conventions of the lab (the tests rely on them):

* tensors are ``torch`` tensors; ``x`` has shape ``(batch, heads, seq, head_dim)`` (any
  leading dimensions work) and ``head_dim`` is even;
* ``positions`` is a 1-D integer tensor of length ``seq``, one position per row of ``x``;
  it need not start at 0 (with a KV cache the new tokens sit after the cached ones);
* angles ``m * theta_i`` are always computed in float64, whatever the dtype of ``x``; only
  the finished cos/sin tables are cast to ``x.dtype``.

Run ``python rope.py`` to draw the lab's figures into the current folder.
"""

from __future__ import annotations

import math
import pathlib

# ---------------------------------------------------------------------------------------
# Given: the source set's additive encoding (with its exponent corrected), for contrast.
# ---------------------------------------------------------------------------------------


def additive_sinusoidal(x, positions=None, base: float = 10000.0):
    """The absolute sinusoidal encoding of "Attention Is All You Need": ``x + PE``.

    PE[m, 2i] = sin(m * theta_i),  PE[m, 2i+1] = cos(m * theta_i),  theta_i = base**(-2i/d).

    This is what the source flashcard set calls "RoPE". It is not: it adds a table, so it
    changes norms, does not leave ``x`` alone at position 0 (cos 0 = 1 is added), and the
    dot product of two encoded vectors depends on the absolute positions, not only on
    their offset. Given here (not a task) so the layer test has a wrong layer to reject.
    """
    import torch

    d = x.shape[-1]
    positions = _positions_or_default(positions, x.shape[-2])
    theta = base ** (-2.0 * torch.arange(d // 2, dtype=torch.float64) / d)
    angles = positions.to(torch.float64)[:, None] * theta[None, :]
    pe = torch.stack((torch.sin(angles), torch.cos(angles)), dim=-1).flatten(-2)
    return x + pe.to(x.dtype)


def _positions_or_default(positions, seq_len: int):
    """``positions`` as a 1-D int64 tensor of length ``seq_len`` (default 0..seq_len-1)."""
    import torch

    if positions is None:
        return torch.arange(seq_len)
    positions = torch.as_tensor(positions)
    if positions.shape != (seq_len,):
        raise ValueError(f"positions must have shape ({seq_len},), got {tuple(positions.shape)}")
    return positions.to(torch.int64)


# ---------------------------------------------------------------------------------------
# Task 1: the frequencies
# ---------------------------------------------------------------------------------------


def rope_frequencies(head_dim: int, base: float = 10000.0):
    """The rotation frequency of each pair: theta_i = base**(-2i/d), i = 0 .. d/2 - 1.

    Returns a float64 tensor of shape ``(head_dim // 2,)``. For ``d = 8`` and base 10000:
    ``[1, 0.1, 0.01, 0.001]``. Pair 0 turns fastest (one radian per position), the last
    pair slowest (``base**(-(d-2)/d)``, close to ``1/base`` for large ``d``), so short and long offsets both
    leave a trace. An odd ``head_dim`` cannot be cut into pairs: raise ``ValueError``.

    The exponent is ``-2i/d`` with ``i`` the *pair* index. Writing ``-i/d`` (forgetting
    the 2) or stepping ``i`` over even coordinates *and* keeping the 2 (the source set's
    ``10000 ** ((2 * i) / d_model)`` with ``i in range(0, d, 2)``) gives other frequencies,
    and a rotation with wrong frequencies still passes norm and relative-position tests.
    """
    import torch
    ### BEGIN SOLUTION (return base**(-2i/d) for i = 0..d/2-1 as float64; ValueError if d is odd)

    # A pair needs two coordinates: an odd head dimension is a configuration error.
    if head_dim <= 0 or head_dim % 2:
        raise ValueError(f"head_dim must be a positive even number, got {head_dim}")
    # i is the pair index 0..d/2-1, so 2i runs over the even coordinates 0, 2, ..., d-2.
    i = torch.arange(head_dim // 2, dtype=torch.float64)
    # float64: these numbers are multiplied by positions in the thousands later.
    return base ** (-2.0 * i / head_dim)
    ### END SOLUTION


# ---------------------------------------------------------------------------------------
# Task 2: rotate q or k
# ---------------------------------------------------------------------------------------


def apply_rope(x, positions=None, base: float = 10000.0):
    """Rotate every interleaved pair of ``x`` by its position times its frequency.

    For the row of ``x`` at position ``m`` and pair ``i`` (coordinates ``2i`` and ``2i+1``),
    with ``a = m * theta_i``::

        out[2i]   = x[2i] * cos(a) - x[2i+1] * sin(a)
        out[2i+1] = x[2i] * sin(a) + x[2i+1] * cos(a)

    ``x``: shape ``(batch, heads, seq, head_dim)`` (any leading dimensions work).
    ``positions``: 1-D integer tensor of length ``seq`` (default ``0 .. seq-1``); with a KV
    cache the new tokens' positions continue after the cached ones, they do not restart
    at 0. Returns a tensor of the shape and dtype of ``x``.

    Properties a correct implementation has (and the tests check): position 0 leaves
    ``x`` unchanged; norms are preserved; rotating by ``a`` then by ``b`` equals rotating by
    ``a + b``; ``<R_m q, R_n k>`` depends only on ``m - n``.
    """
    import torch
    ### BEGIN SOLUTION (rotate pairs (x[2i], x[2i+1]) by positions[m] * theta_i; angles in float64)

    head_dim, seq_len = x.shape[-1], x.shape[-2]
    positions = _positions_or_default(positions, seq_len)
    theta = rope_frequencies(head_dim, base)  # (d/2,) float64
    # Angles in float64: m * theta for m in the thousands loses digits in float32 and is
    # garbage in float16/bfloat16 (float16 spacing is 0.5 near 1000, 2 above 2048).
    angles = positions.to(torch.float64)[:, None] * theta[None, :]  # (seq, d/2)
    # Only the finished cos/sin tables take the input's dtype.
    cos = torch.cos(angles).to(x.dtype)
    sin = torch.sin(angles).to(x.dtype)
    # Interleaved pairs: even coordinates are the first member, odd ones the second.
    x1, x2 = x[..., 0::2], x[..., 1::2]
    # The 2-D rotation of each pair; (seq, d/2) tables broadcast over batch and heads.
    out1 = x1 * cos - x2 * sin
    out2 = x1 * sin + x2 * cos
    # Put the pairs back in place: stack on a new last axis, then merge (d/2, 2) -> d.
    return torch.stack((out1, out2), dim=-1).flatten(-2)
    ### END SOLUTION


# ---------------------------------------------------------------------------------------
# Task 3: the other convention (split halves)
# ---------------------------------------------------------------------------------------


def interleaved_to_half(x):
    """Reorder the last axis from interleaved pairs to split halves: ``x[..., P]``.

    P = [0, 2, 4, ..., d-2, 1, 3, 5, ..., d-1]: the first members of the pairs, then the
    second members, so pair ``i`` moves from ``(2i, 2i+1)`` to ``(i, i + d/2)``. For
    ``d = 8``: ``[x0, x2, x4, x6, x1, x3, x5, x7]``.
    """
    import torch
    ### BEGIN SOLUTION (gather the even coordinates, then the odd ones, along the last axis)

    # Even coordinates (first members) first, odd coordinates (second members) after.
    return torch.cat((x[..., 0::2], x[..., 1::2]), dim=-1)
    ### END SOLUTION


def half_to_interleaved(y):
    """The inverse permutation: from split halves back to interleaved pairs.

    ``out[2i] = y[i]``, ``out[2i+1] = y[i + d/2]``. For ``d = 8``:
    ``[y0, y4, y1, y5, y2, y6, y3, y7]``. (For ``d = 4`` the permutation is its own
    inverse, which hides a mix-up of the two directions: test with ``d >= 6``.)
    """
    import torch
    ### BEGIN SOLUTION (pair the first half with the second half and interleave them)

    half = y.shape[-1] // 2
    # Pair i is (y[i], y[i + d/2]); stacking on a new last axis interleaves them.
    return torch.stack((y[..., :half], y[..., half:]), dim=-1).flatten(-2)
    ### END SOLUTION


def apply_rope_half(y, positions=None, base: float = 10000.0):
    """RoPE in the split-halves convention (Hugging Face ``rotate_half``, GPT-NeoX).

    Pair ``i`` is ``(y[i], y[i + d/2])``, rotated by ``m * theta_i``::

        out = y * cos(cat(a, a)) + rotate_half(y) * sin(cat(a, a)),
        rotate_half(y) = cat(-y[d/2:], y[:d/2])

    The same rotation as :func:`apply_rope` up to the permutation P:
    ``apply_rope_half(interleaved_to_half(x)) == interleaved_to_half(apply_rope(x))``.
    """
    ### BEGIN SOLUTION (move to interleaved layout, apply_rope, move back)
    # Rotations commute with relabelling coordinates: permute, rotate, permute back.
    return interleaved_to_half(apply_rope(half_to_interleaved(y), positions, base))
    ### END SOLUTION


# ---------------------------------------------------------------------------------------
# Task 4: a layer test that a wrong layer fails
# ---------------------------------------------------------------------------------------


def identical_token_scores(encode, q, k, positions):
    """Scores between one token's query and key, placed at every pair of positions.

    ``S[i, j] = <E(q, p_i), E(k, p_j)>`` where ``E = encode`` is a position encoding with
    the signature of :func:`apply_rope` (``encode(x, positions)``, ``x`` of shape
    ``(batch, heads, seq, head_dim)``), ``q`` and ``k`` are 1-D tensors of length ``d``
    and ``positions`` is a 1-D integer tensor of length ``n``. Returns ``(n, n)``. Raw dot
    products: no ``1/sqrt(d)``, no softmax.

    Every row of the sequence holds the *same* token, so any change along a diagonal
    (fixed offset ``p_i - p_j``) comes from the absolute positions alone. For RoPE the
    matrix is Toeplitz (constant along each diagonal); for the additive encoding it is not.
    """
    ### BEGIN SOLUTION (repeat q and k over n positions, encode both, return the matrix of dot products)
    n, d = len(positions), q.shape[-1]
    # The same token at every position: shape (1 batch, 1 head, n, d).
    xq = q.reshape(1, 1, 1, d).expand(1, 1, n, d)
    xk = k.reshape(1, 1, 1, d).expand(1, 1, n, d)
    # Encode queries and keys at the same positions, as one attention layer would.
    eq = encode(xq, positions)[0, 0]
    ek = encode(xk, positions)[0, 0]
    # All pairwise dot products at once: S[i, j] = eq[i] . ek[j].
    return eq @ ek.T
    ### END SOLUTION


def position_dependence(encode, q, k, seq_len: int, start: int = 0) -> float:
    """How much attention scores depend on absolute position at a fixed offset.

    With positions ``start, start+1, ..., start+seq_len-1`` and ``S`` from
    :func:`identical_token_scores`, every diagonal ``r`` of ``S`` holds the scores of one
    offset. The measure is the largest spread along a diagonal, relative to the largest
    score::

        position_dependence = max_r (max diag_r(S) - min diag_r(S)) / max |S|

    (0.0 if ``S`` is all zeros). About 1e-15 for RoPE in float64 (rounding only), clearly
    non-zero for the additive encoding. Returns a Python float.

    This is the layer test the source set asks for ("RoPE embeddings have a specific
    property that you can test for"). Printing the output's shape is not a test: every
    wrong layer passes it. Note what this test cannot see: a wrong frequency or a negated
    angle still gives a Toeplitz matrix, so pair it with an explicit-value test.
    """
    import torch
    ### BEGIN SOLUTION (build S, take max - min along every diagonal, divide the largest spread by max |S|)

    positions = torch.arange(start, start + seq_len)
    scores = identical_token_scores(encode, q, k, positions)
    # Diagonal r (offset r = j - i) holds all pairs with the same offset.
    spread = max(
        float(diag.max() - diag.min())
        for diag in (torch.diagonal(scores, offset=r) for r in range(-(seq_len - 1), seq_len))
    )
    # Relative to the size of the scores, so the measure does not depend on the scale of q, k.
    scale = float(scores.abs().max())
    return spread / scale if scale > 0 else 0.0
    ### END SOLUTION


# ---------------------------------------------------------------------------------------
# Task 5: RoPE inside single-head attention
# ---------------------------------------------------------------------------------------


def rope_attention(q, k, v, q_positions=None, k_positions=None, causal: bool = True, base: float = 10000.0):
    """Single-head scaled dot-product attention with RoPE on the queries and keys.

    ``q``: ``(batch, Lq, d)``, ``k``: ``(batch, Lk, d)``, ``v``: ``(batch, Lk, dv)``.
    ``q_positions`` (length ``Lq``) defaults to the *last* ``Lq`` positions
    ``Lk-Lq .. Lk-1`` (the queries are the newest tokens, as when decoding with a KV cache);
    ``k_positions`` (length ``Lk``) defaults to ``0 .. Lk-1``::

        scores[i, j] = <R_(p_i) q_i, R_(p_j) k_j> / sqrt(d)
        causal: scores[i, j] = -inf where k_positions[j] > q_positions[i]
        weights = softmax(scores, over j),   out = weights @ v

    Returns ``(out, weights)`` with shapes ``(batch, Lq, dv)`` and ``(batch, Lq, Lk)``.
    The values are **not** rotated: position enters only through the scores.
    """
    import torch
    ### BEGIN SOLUTION (rotate q and k (not v) at their positions, scale, mask by position, softmax, weight v)

    lq, lk, d = q.shape[-2], k.shape[-2], q.shape[-1]
    q_positions = torch.arange(lk - lq, lk) if q_positions is None else q_positions
    q_positions = _positions_or_default(q_positions, lq)
    k_positions = _positions_or_default(k_positions, lk)
    # RoPE works per head: add a heads axis of size 1, rotate, drop it again.
    qr = apply_rope(q.unsqueeze(1), q_positions, base).squeeze(1)
    kr = apply_rope(k.unsqueeze(1), k_positions, base).squeeze(1)
    # Scaled dot products: the scale uses the head dimension d.
    scores = qr @ kr.transpose(-2, -1) / math.sqrt(d)
    if causal:
        # A query sees the keys at its own position or earlier: compare positions, not
        # row indices, so a single decoding query at position n sees all n+1 cached keys.
        blocked = k_positions[None, :] > q_positions[:, None]
        scores = scores.masked_fill(blocked, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    # v is left alone: rotating it would make the output depend on absolute position.
    return weights @ v, weights
    ### END SOLUTION


# ---------------------------------------------------------------------------------------
# Figures (not graded as pixels; the arrays are what matter)
# ---------------------------------------------------------------------------------------


def figure_data(seq_len: int = 24, head_dim: int = 8, seed: int = 0) -> dict:
    """The arrays the figures show: identical-token score maps and score-vs-offset points.

    One random token (query ``q`` and key ``k``, float64, seeded) at positions
    ``0 .. seq_len-1``. Returns numpy arrays: ``rope`` and ``additive`` (``(n, n)`` score
    maps), ``offset`` (``i - j`` for every entry, flattened) and ``rope_by_offset`` /
    ``additive_by_offset`` (the matching scores, flattened).
    """
    import torch

    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(head_dim, generator=gen, dtype=torch.float64)
    k = torch.randn(head_dim, generator=gen, dtype=torch.float64)
    positions = torch.arange(seq_len)
    rope = identical_token_scores(apply_rope, q, k, positions).numpy()
    additive = identical_token_scores(additive_sinusoidal, q, k, positions).numpy()
    i, j = torch.meshgrid(positions, positions, indexing="ij")
    return {
        "rope": rope,
        "additive": additive,
        "offset": (i - j).flatten().numpy(),
        "rope_by_offset": rope.flatten(),
        "additive_by_offset": additive.flatten(),
    }


def make_figures(outdir) -> list[pathlib.Path]:
    """Draw ``rope-toeplitz.png`` and ``rope-score-vs-offset.png`` into ``outdir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir = pathlib.Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    data = figure_data()
    paths = []

    # Side by side, one colour scale: RoPE is constant along diagonals, additive is not.
    vmax = max(abs(data["rope"]).max(), abs(data["additive"]).max())
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.2), constrained_layout=True)
    for ax, key, title in ((axes[0], "rope", "RoPE (rotate q, k)"), (axes[1], "additive", "additive sin/cos")):
        im = ax.imshow(data[key], cmap="RdBu_r", vmin=-vmax, vmax=vmax)  # origin upper: query 0 on top
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("key position j")
        ax.set_ylabel("query position i")
    fig.colorbar(im, ax=axes, shrink=0.8, label="score <E(q,i), E(k,j)>")
    paths.append(outdir / "rope-toeplitz.png")
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)

    # Score against offset i - j: one value per offset for RoPE, a spread for additive.
    fig, ax = plt.subplots(figsize=(6.4, 3.2), constrained_layout=True)
    ax.scatter(data["offset"], data["additive_by_offset"], s=8, alpha=0.5, label="additive sin/cos", color="tab:red")
    ax.scatter(data["offset"], data["rope_by_offset"], s=8, label="RoPE", color="tab:blue")
    ax.set_xlabel("offset i - j")
    ax.set_ylabel("score")
    ax.set_title("Same token, every pair of positions", fontsize=10)
    ax.legend(fontsize=8)
    paths.append(outdir / "rope-score-vs-offset.png")
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)
    return paths


if __name__ == "__main__":
    for path in make_figures("."):
        print(path)
