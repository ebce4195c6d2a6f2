"""Golden fixtures from PyTorch for composed graphs (test/tensor/golden.test.ts checks our engine against them).

Run from the repository root with the Python that has PyTorch (Debian's python3-torch, 1.13):

    /usr/bin/python3 scripts/make_golden_fixtures.py

It writes test/fixtures/golden/<graph>.json and is deterministic: every graph seeds its own
generator, so the files only change when this script does. Inputs and parameters are drawn in
float32 (what our engine computes in); the references are computed by torch in float64 from those
very float32 values, so they are exact up to float64 rounding and every error the test sees is ours.

Fixture format (version 1), one JSON object per graph:
    format       "transformer-ts golden fixture"
    version      1
    graph        the graph's name; description: what it composes
    config       the sizes and hyper-parameters the graph uses (dModel, h, dK, ...)
    inputs       name -> {shape, dtype, values}: data, int32 ids and masks, constants (dtype
                 "float32" or "int32"; float values have 9 significant digits, enough to round-trip
                 float32 exactly)
    params       name -> {shape, dtype, values}: the float32 tensors whose gradient is checked
                 (parameters and the differentiable data inputs)
    outputs      name -> {shape, values}: the loss and intermediates, float64 reference
    grads        name -> {shape, values}: d loss / d param for every entry of params
Values are flat in row-major order.

Attention is written out (q k^T / sqrt(dK), masked_fill, softmax, @ v) because torch 1.13 has no
F.scaled_dot_product_attention; an int32 mask is non-zero where a query may attend, and a causal
mask lets query i see keys j <= i + (Tk - Tq), as in src/tensor/ops/attention.ts.
"""

import json
import math
import os

import torch
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'golden')


def rounded(values):
    return [float('%.9g' % v) for v in values]


class Graph:
    """Collects one graph's inputs, parameters, outputs and gradients as it is built."""

    def __init__(self, name, description, seed, config):
        self.name, self.description, self.config = name, description, config
        self.gen = torch.Generator().manual_seed(seed)
        self.inputs, self.params, self.outputs = {}, {}, {}
        self.leaves = {}

    def randn(self, *shape, std=1.0, shift=0.0):
        return (torch.randn(*shape, generator=self.gen, dtype=torch.float32) * std + shift).float()

    def param(self, name, values):
        """A float32 tensor whose gradient is checked; returned as a float64 leaf for the graph."""
        self.params[name] = values.float()
        leaf = values.float().double().requires_grad_(True)
        self.leaves[name] = leaf
        return leaf

    def linear(self, name, d_out, d_in, bias=True):
        """A Linear's (out, in) weight, N(0, 1/in), and a small bias."""
        w = self.param(name + '.W', self.randn(d_out, d_in, std=1 / math.sqrt(d_in)))
        b = self.param(name + '.b', self.randn(d_out, std=0.1)) if bias else None
        return w, b

    def layer_norm(self, name, d):
        gamma = self.param(name + '.gamma', self.randn(d, std=0.1, shift=1.0))
        beta = self.param(name + '.beta', self.randn(d, std=0.1))
        return gamma, beta

    def constant(self, name, values):
        """A non-differentiable input (ids, masks, positions); float64 for the graph when float."""
        self.inputs[name] = values
        return values.double() if values.is_floating_point() else values

    def output(self, name, value):
        self.outputs[name] = value.detach()

    def write(self, loss):
        self.output('loss', loss)
        loss.backward()
        doc = {
            'format': 'transformer-ts golden fixture',
            'version': 1,
            'graph': self.name,
            'description': self.description,
            'torch': torch.__version__,
            'config': self.config,
            'inputs': {n: encode(t) for n, t in self.inputs.items()},
            'params': {n: encode(t) for n, t in self.params.items()},
            'outputs': {n: encode(t, with_dtype=False) for n, t in self.outputs.items()},
            'grads': {n: encode(self.leaves[n].grad, with_dtype=False) for n in self.params},
        }
        path = os.path.join(OUT_DIR, self.name + '.json')
        with open(path, 'w') as f:
            json.dump(doc, f, separators=(',', ':'))
            f.write('\n')
        print('%-45s %7d bytes  loss %.9g' % (os.path.relpath(path), os.path.getsize(path), loss.item()))


def encode(t, with_dtype=True):
    flat = t.detach().reshape(-1)
    entry = {'shape': list(t.shape)}
    if t.dtype in (torch.int32, torch.int64, torch.bool):
        entry['dtype'] = 'int32'
        entry['values'] = [int(v) for v in flat.tolist()]
    else:
        if with_dtype:
            entry['dtype'] = 'float32'
        entry['values'] = rounded(flat.tolist())
    return entry


def linear(x, wb):
    w, b = wb
    y = x @ w.t()
    return y if b is None else y + b


def attention(q, k, v, mask=None, causal=False):
    """q (B, h, Tq, dK), k and v (B, h, Tk, dK); mask: int (non-zero = may attend) or float (added)."""
    tq, tk = q.shape[-2], k.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, h, Tq, Tk)
    if mask is not None and mask.is_floating_point():
        scores = scores + mask
    elif mask is not None:
        scores = scores.masked_fill(mask == 0, float('-inf'))
    if causal:
        allowed = torch.ones(tq, tk, dtype=torch.bool).tril(tk - tq)
        scores = scores.masked_fill(~allowed, float('-inf'))
    return torch.softmax(scores, dim=-1) @ v


def heads(x, h):
    """(B, T, d) -> (B, h, T, dK)"""
    b, t, d = x.shape
    return x.reshape(b, t, h, d // h).permute(0, 2, 1, 3)


def merge_heads(x):
    """(B, h, T, dK) -> (B, T, d)"""
    b, h, t, dk = x.shape
    return x.permute(0, 2, 1, 3).reshape(b, t, h * dk)


def key_padding_mask(lengths, tk):
    """(B, 1, 1, Tk) int32: 1 where key j < length."""
    return (torch.arange(tk)[None, :] < torch.tensor(lengths)[:, None]).int()[:, None, None, :]


def sinusoids(t, d):
    """The paper's section 3.5: PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...)."""
    pos = torch.arange(t, dtype=torch.float64)[:, None]
    freq = torch.pow(10000.0, -torch.arange(0, d, 2, dtype=torch.float64) / d)
    pe = torch.zeros(t, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)
    return pe.float()


def encoder_layer():
    cfg = dict(B=2, T=7, dModel=16, h=4, dK=4, dFF=32, vocab=11, lengths=[7, 4], epsLs=0.1, padId=0, eps=1e-5)
    B, T, d, h, V = cfg['B'], cfg['T'], cfg['dModel'], cfg['h'], cfg['vocab']
    g = Graph('encoder_layer', 'Post-norm encoder layer (section 3.1): fused QKV, padded self-attention, '
              'residual + layer norm, relu FFN, residual + layer norm; label-smoothed cross-entropy ignoring pads',
              seed=1, config=cfg)
    x = g.param('x', g.randn(B, T, d))
    qkv_w = g.linear('qkv', 3 * d, d)
    o_w = g.linear('out', d, d)
    ln1 = g.layer_norm('ln1', d)
    ff1, ff2 = g.linear('ff1', cfg['dFF'], d), g.linear('ff2', d, cfg['dFF'])
    ln2 = g.layer_norm('ln2', d)
    proj = g.linear('proj', V, d, bias=False)
    mask = g.constant('mask', key_padding_mask(cfg['lengths'], T))
    targets = torch.randint(1, V, (B, T), generator=g.gen, dtype=torch.int32)
    targets = g.constant('targets', targets * (mask[:, 0, 0, :] != 0).int())

    q, k, v = linear(x, qkv_w).split(d, dim=-1)  # (B, T, d) each
    ctx = merge_heads(attention(heads(q, h), heads(k, h), heads(v, h), mask=mask))  # (B, T, d)
    y1 = F.layer_norm(x + linear(ctx, o_w), (d,), *ln1, eps=cfg['eps'])
    y2 = F.layer_norm(y1 + linear(torch.relu(linear(y1, ff1)), ff2), (d,), *ln2, eps=cfg['eps'])
    logits = linear(y2, proj)  # (B, T, V)
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1).long(), ignore_index=cfg['padId'],
                           label_smoothing=cfg['epsLs'])
    g.output('context', ctx)
    g.output('y1', y1)
    g.output('logits', logits)
    g.write(loss)


def decoder_block():
    cfg = dict(B=2, T=5, S=7, dModel=16, h=4, dK=4, dFF=32, vocab=11, memoryLengths=[7, 5], eps=1e-5)
    B, T, S, d, h, V = cfg['B'], cfg['T'], cfg['S'], cfg['dModel'], cfg['h'], cfg['vocab']
    g = Graph('decoder_block', 'Pre-norm decoder block: causal self-attention, cross-attention over a padded '
              'encoder memory, gelu FFN, final layer norm; per-token cross-entropy weighted and summed',
              seed=2, config=cfg)
    x = g.param('x', g.randn(B, T, d))
    memory = g.param('memory', g.randn(B, S, d))
    ln1, self_qkv, self_out = g.layer_norm('ln1', d), g.linear('self.qkv', 3 * d, d), g.linear('self.out', d, d)
    ln2, cross_q, cross_kv = g.layer_norm('ln2', d), g.linear('cross.q', d, d), g.linear('cross.kv', 2 * d, d)
    cross_out = g.linear('cross.out', d, d)
    ln3, ff1, ff2 = g.layer_norm('ln3', d), g.linear('ff1', cfg['dFF'], d), g.linear('ff2', d, cfg['dFF'])
    lnf, proj = g.layer_norm('lnf', d), g.linear('proj', V, d)
    mask = g.constant('memoryMask', key_padding_mask(cfg['memoryLengths'], S))
    targets = g.constant('targets', torch.randint(0, V, (B, T), generator=g.gen, dtype=torch.int32))
    weights = g.constant('tokenWeights', torch.rand(B, T, generator=g.gen, dtype=torch.float32))

    def ln(t, gamma_beta):
        return F.layer_norm(t, (d,), *gamma_beta, eps=cfg['eps'])

    q, k, v = linear(ln(x, ln1), self_qkv).split(d, dim=-1)  # (B, T, d) each
    self_ctx = merge_heads(attention(heads(q, h), heads(k, h), heads(v, h), causal=True))  # (B, T, d)
    x1 = x + linear(self_ctx, self_out)
    q = linear(ln(x1, ln2), cross_q)  # (B, T, d)
    k, v = linear(memory, cross_kv).split(d, dim=-1)  # (B, S, d) each
    cross_ctx = merge_heads(attention(heads(q, h), heads(k, h), heads(v, h), mask=mask))  # (B, T, d)
    x2 = x1 + linear(cross_ctx, cross_out)
    x3 = x2 + linear(F.gelu(linear(ln(x2, ln3), ff1)), ff2)
    logits = linear(ln(x3, lnf), proj)  # (B, T, V)
    per_token = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1).long(), reduction='none')
    loss = (per_token.reshape(B, T) * weights).sum()
    g.output('selfContext', self_ctx)
    g.output('crossContext', cross_ctx)
    g.output('perToken', per_token.reshape(B, T))
    g.write(loss)


def embedding_positions():
    cfg = dict(B=2, T=6, dModel=16, vocab=11, nllWeight=0.5)
    B, T, d, V = cfg['B'], cfg['T'], cfg['dModel'], cfg['vocab']
    g = Graph('embedding_positions', 'Embedding with repeated ids scaled by sqrt(dModel) plus sinusoidal positions '
              '(section 3.4-3.5), output projection tied to the embedding; cross-entropy (sum) plus an NLL '
              'gathered from log-softmax with a one-hot where', seed=3, config=cfg)
    table = g.param('table', g.randn(V, d, std=d ** -0.5))
    bias = g.param('bias', g.randn(V, std=0.1))
    ids = g.constant('ids', torch.tensor([[1, 4, 4, 7, 1, 4], [9, 9, 2, 10, 0, 9]], dtype=torch.int32))
    pe = g.constant('positions', sinusoids(T, d))
    targets = g.constant('targets', torch.randint(0, V, (B, T), generator=g.gen, dtype=torch.int32))
    one_hot = g.constant('targetOneHot', F.one_hot(targets.long(), V).int())

    e = table[ids.long()] * math.sqrt(d) + pe  # (B, T, d)
    logits = e @ table.t() + bias  # (B, T, V)
    log_probs = torch.log_softmax(logits, dim=-1)
    ce = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1).long(), reduction='sum')
    nll = -torch.where(one_hot != 0, log_probs, torch.zeros((), dtype=torch.float64)).sum()
    g.output('embedded', e)
    g.output('logProbs', log_probs)
    g.output('crossEntropy', ce)
    g.output('nll', nll)
    g.write(ce + cfg['nllWeight'] * nll)


def elementwise_chain():
    cfg = dict(shapeA=[2, 3, 4], shapeB=[3, 1], shapeC=[2, 1, 4], padWidths=[[2, 1]], padValue=0.5)
    g = Graph('elementwise_chain', 'Unary ops (tanh, sigmoid, swish, gelu, exp, log, sqrt, pow), broadcasting '
              'add/sub/mul/div, where/maskedFill, max/sum/mean over axes, concat/slice/pad/transpose',
              seed=4, config=cfg)
    a = g.param('a', g.randn(2, 3, 4))
    b = g.param('b', g.randn(3, 1))
    c = g.param('c', g.randn(2, 1, 4, std=0.5))
    r = g.param('r', g.randn(4))
    select = g.constant('select', (torch.rand(2, 3, 4, generator=g.gen) < 0.5).int())
    large = g.constant('large', (g.params['a'] > 1.0).int())

    u = torch.tanh(a) * torch.sigmoid(b)  # (2, 3, 4)
    v = F.silu(a) + F.gelu(a * 0.7) - b  # (2, 3, 4)
    w = u / (torch.exp(c) + 1.0)  # (2, 3, 4)
    z = torch.sqrt(a ** 2 + 1.0)  # (2, 3, 4), > 0
    logz = torch.log(z) * r  # (2, 3, 4)
    picked = torch.where(select != 0, w, v).masked_fill(large != 0, -0.25)  # (2, 3, 4)
    m = picked.max(dim=1).values  # (2, 4)
    t = torch.cat([m, v.mean(dim=1), logz.transpose(1, 2).sum(dim=2)], dim=-1)  # (2, 12)
    s = F.pad(t[:, 1:9], (2, 1), value=cfg['padValue'])  # (2, 11)
    s2 = torch.pow(z, 1.5).mean(dim=(0, 2))  # (3)
    loss = (s ** 3).sum() - s2.sum() / (torch.exp(-r).sum() + 1.0) + (-logz).mean()
    g.output('picked', picked)
    g.output('max', m)
    g.output('padded', s)
    g.write(loss)


def attention_variants():
    cfg = dict(B=2, h=4, Tq=3, Tk=6, dK=4, keyLengths=[6, 4])
    B, h, Tq, Tk, dk = cfg['B'], cfg['h'], cfg['Tq'], cfg['Tk'], cfg['dK']
    g = Graph('attention_variants', 'Fused attention with an additive float bias (ALiBi-like) and bottom-right '
              'causal mask (Tq < Tk, as with a KV cache); the same attention written with matmul, maskedFill '
              'and softmax; softmax and log-softmax along non-last axes', seed=5, config=cfg)
    q = g.param('q', g.randn(B, h, Tq, dk))
    k = g.param('k', g.randn(B, h, Tk, dk))
    v = g.param('v', g.randn(B, h, Tk, dk))
    slopes = torch.tensor([2.0 ** -(i + 1) for i in range(h)])
    distance = (torch.arange(Tk)[None, :] - (torch.arange(Tq)[:, None] + Tk - Tq)).float()
    bias = g.constant('bias', (slopes[:, None, None] * distance)[None])  # (1, h, Tq, Tk)
    padded = g.constant('padded', 1 - key_padding_mask(cfg['keyLengths'], Tk))  # (B, 1, 1, Tk), 1 = pad
    r1 = g.constant('r1', torch.randn(B, h, Tq, dk, generator=g.gen))
    r2 = g.constant('r2', torch.randn(B, h, Tq, dk, generator=g.gen))

    fused = attention(q, k, v, mask=bias, causal=True)  # (B, h, Tq, dK)
    scores = (q @ k.transpose(-2, -1)) * (1 / math.sqrt(dk))  # (B, h, Tq, Tk)
    probs = torch.softmax(scores.masked_fill(padded != 0, -1e9), dim=-1)
    manual = probs @ v  # (B, h, Tq, dK)
    over_heads = torch.softmax(manual, dim=1)  # (B, h, Tq, dK)
    over_queries = torch.log_softmax(fused, dim=2)  # (B, h, Tq, dK)
    loss = (fused * r1).sum() + (manual * r2).sum() + (over_heads * r1).sum() + (over_queries * r2).mean()
    g.output('fused', fused)
    g.output('manual', manual)
    g.output('probs', probs)
    g.write(loss)


def main():
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    for build in (encoder_layer, decoder_block, embedding_positions, elementwise_chain, attention_variants):
        build()


if __name__ == '__main__':
    main()
