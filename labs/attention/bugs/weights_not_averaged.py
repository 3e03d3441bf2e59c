"""Multi-head attention returning per-head weights (B, H, L, S) even when the average is asked."""
CAUGHT_BY = ["test_mha_matches_torch", "test_mha_key_padding", "test_mha_three_heads"]


def multi_head_attention(query, key, value, params, num_heads, key_padding_mask=None, average_weights=True):
    B, L, E = query.shape
    S = key.shape[1]
    H = num_heads
    d_head = E // H
    w_q, w_k, w_v = params["in_proj_weight"].chunk(3, dim=0)
    b_q, b_k, b_v = params["in_proj_bias"].chunk(3, dim=0)
    q = (query @ w_q.T + b_q).reshape(B, L, H, d_head).transpose(1, 2)
    k = (key @ w_k.T + b_k).reshape(B, S, H, d_head).transpose(1, 2)
    v = (value @ w_v.T + b_v).reshape(B, S, H, d_head).transpose(1, 2)
    keep = None if key_padding_mask is None else (~key_padding_mask.bool())[:, None, None, :]
    out, weights = attention(q, k, v, mask=keep)
    out = out.transpose(1, 2).reshape(B, L, E) @ params["out_proj.weight"].T + params["out_proj.bias"]
    return out, weights  # BUG: average_weights ignored
