"""attention scales the queries in place (q *= scale): the caller's q tensor is changed."""
CAUGHT_BY = ["test_inputs_not_changed"]

REPLACE = [
    (
        "    return torch.matmul(weights, v), weights",
        """\
    return torch.matmul(weights, v), weights


_reference_attention = attention


def attention(q, k, v, mask=None, is_causal=False, scale=None):
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    q.mul_(scale)
    return _reference_attention(q, k, v, mask=mask, is_causal=is_causal, scale=1.0)""",
    ),
]
