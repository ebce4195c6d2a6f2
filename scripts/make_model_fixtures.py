"""Model fixtures from PyTorch: logits and every parameter gradient of tiny models of each kind and option
(test/model/pytorch-parity.test.ts loads the same weights into our models and checks both backends).

Run from the repository root with the Python that has PyTorch (Debian's python3-torch, 1.13):

    /usr/bin/python3 scripts/make_model_fixtures.py

It writes test/fixtures/model/<variant>.json and is deterministic: every variant seeds its own
generator. Weights and inputs are drawn in float32 (what our engine computes in); the reference runs
in float64 from those very float32 values, so every error the test sees is ours.

What the reference is, per kind (dropout 0 everywhere, modules in training mode):
  encoder-decoder  torch.nn.Transformer (batch_first) with our embeddings, positional encodings and
                   output projection written out around it. Post-norm: our stacks have no final layer
                   norm, so the Transformer's final encoder and decoder norms are removed (set to None;
                   a LayerNorm with weight 1 and bias 0 is not the identity). Pre-norm
                   (norm_first=True): those final norms are our encoder.finalNorm and decoder.finalNorm.
                   The encoder's self-attention and the cross-attention mask padded source positions
                   (src_key_padding_mask, memory_key_padding_mask); the decoder's self-attention is
                   causal only (no target padding mask: padded targets sit at the end, so no real
                   token sees them, and their logits still count in the weighted-sum term of the loss).
  encoder-only     torch.nn.TransformerEncoder with a padding mask, then the head of
                   src/model/encoder-only.ts written out: masked-lm = LayerNorm(act(dense(x))) E^T;
                   sequence-classification = classifier(tanh(pool(x[:, 0]))), or of the mean of
                   the tokens' states with pooling "mean"; token-classification
                   = classifier(x). Padded positions get logits too (queries are not masked).
  decoder-only     torch.nn.TransformerEncoder with the causal mask (our decoder-only stack is the
                   encoder layer made causal), and the output projection.
The fused projections map onto torch's exactly: a self-attention's qkv.weight (3d, d) is
in_proj_weight = [W_q; W_k; W_v]; a cross-attention's q.weight is its rows [0, d) and kv.weight its
rows [d, 3d). Sinusoids follow src/model/embeddings.ts (PE(pos, 2i) = sin(pos / 10000^(2i/d)), cos at
2i + 1; "halves" puts all sines first), computed in float64.

The loss is cross-entropy (label smoothing 0.1, PyTorch's mean over targets not ignored; pad id 0
ignored for language models, -100 for the classifiers' unlabelled positions) plus
sum(logits * logitWeights) with fixed random weights, so that every logit, padded or not, has a
gradient.

Fixture format (version 1), one JSON object per variant:
    format       "transformer-ts model fixture"
    version      1
    variant      the file's name; description: what it covers
    kind         the model kind
    overrides    the config is makeConfig('tiny', overrides)
    config       the sizes the reference was built with (the test checks the config agrees)
    loss         {labelSmoothing, ignoreIndex} of the cross-entropy term
    inputs       name -> tensor: the model's int32 ids (source and targetInput, or ids), the int32
                 cross-entropy targets, the float32 logitWeights
    params       name -> tensor: every parameter under its namedParameters() name, float32
    outputs      logits and loss, float64
    grads        name -> tensor: d loss / d param for every param, rounded to float32 (a relative
                 rounding of 6e-8, far below the test's 1e-4, which keeps the files small)
A tensor is {shape, dtype ("float32", "float64" or "int32"), data}: data is the row-major values as
little-endian bytes in base64.
"""

import base64
import json
import math
import re
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'model')

# The tiny preset of src/model/config.ts and the defaults it keeps.
TINY = dict(encoderLayers=2, decoderLayers=2, dModel=16, dFF=32, h=4, vocabSize=13, sourceVocabSize=13,
            maxLength=64, layerNormEps=1e-5, padId=0, bosId=1, eosId=2, numLabels=2)
DEFAULTS = dict(normPosition='post', activation='relu', positionalEncoding='sinusoidal', scaleEmbedding=True,
                shareEmbeddings=True, tieOutput=True, finalLogitsBias=False, head='masked-lm', pooling='first')
B, S, T = 2, 7, 6
LABEL_SMOOTHING = 0.1
ACTIVATIONS = {'relu': F.relu, 'gelu': F.gelu, 'swish': F.silu}


def encode(t):
    t = t.detach().contiguous()
    dtype = {torch.float32: 'float32', torch.float64: 'float64', torch.int32: 'int32'}[t.dtype]
    data = t.numpy().astype('<' + t.numpy().dtype.str[1:]).tobytes()
    return {'shape': list(t.shape), 'dtype': dtype, 'data': base64.b64encode(data).decode('ascii')}


class Variant:
    """One fixture: draws float32 weights by our parameter names, hands out float64 leaves for them."""

    def __init__(self, name, description, seed, kind, overrides):
        self.name, self.description, self.kind, self.overrides = name, description, kind, overrides
        self.c = {**TINY, **DEFAULTS, **overrides}
        self.gen = torch.Generator().manual_seed(seed)
        self.params = {}  # our name -> float32 values
        self.leaves = {}  # our name -> float64 leaf (hand-written parts)
        self.bound = []  # (our name, torch parameter, rows) for torch modules' parameters
        self.inputs = {}

    def randn(self, *shape, std=1.0, shift=0.0):
        return torch.randn(*shape, generator=self.gen, dtype=torch.float32) * std + shift

    def draw(self, name, shape):
        """Weights: matrices N(0, 0.3^2), biases N(0, 0.1^2), layer norm gains N(1, 0.1^2)."""
        if re.search(r'[nN]orm\d*\.weight$', name):
            values = self.randn(*shape, std=0.1, shift=1.0)
        elif len(shape) == 1:
            values = self.randn(*shape, std=0.1)
        else:
            values = self.randn(*shape, std=0.3)
        self.params[name] = values.float()
        return self.params[name]

    def leaf(self, name, *shape):
        leaf = self.draw(name, shape).double().requires_grad_(True)
        self.leaves[name] = leaf
        return leaf

    def bind(self, name, param, rows=None):
        """Loads fresh weights for our parameter `name` into (rows of) a float64 torch parameter."""
        shape = tuple(param.shape) if rows is None else (rows.stop - rows.start,) + tuple(param.shape[1:])
        values = self.draw(name, shape).double()
        with torch.no_grad():
            (param if rows is None else param[rows]).copy_(values)
        self.bound.append((name, param, rows))

    def grad(self, name):
        if name in self.leaves:
            return self.leaves[name].grad
        for n, param, rows in self.bound:
            if n == name:
                return param.grad if rows is None else param.grad[rows]
        raise KeyError(name)

    def ids(self, name, rows):
        self.inputs[name] = torch.tensor(rows, dtype=torch.int32)
        return self.inputs[name].long()

    def write(self, logits, targets, ignore_index, torch_modules):
        bound = {id(p) for _, p, _ in self.bound}
        for m in torch_modules:
            for n, p in m.named_parameters():
                assert id(p) in bound, f'{self.name}: torch parameter {n} has no weights of ours'
        weights = self.randn(*logits.shape, std=0.1)
        self.inputs['targets'] = targets.int()
        self.inputs['logitWeights'] = weights
        v = logits.shape[-1]
        ce = F.cross_entropy(logits.reshape(-1, v), targets.reshape(-1).long(), ignore_index=ignore_index,
                             label_smoothing=LABEL_SMOOTHING)
        loss = ce + (logits * weights.double()).sum()
        loss.backward()
        c = self.c
        doc = {
            'format': 'transformer-ts model fixture',
            'version': 1,
            'variant': self.name,
            'description': self.description,
            'torch': torch.__version__,
            'kind': self.kind,
            'overrides': self.overrides,
            'config': {k: c[k] for k in ('encoderLayers', 'decoderLayers', 'dModel', 'dFF', 'h', 'vocabSize',
                                         'sourceVocabSize', 'numLabels', 'layerNormEps', 'padId', 'maxLength')},
            'loss': {'labelSmoothing': LABEL_SMOOTHING, 'ignoreIndex': ignore_index},
            'inputs': {n: encode(t) for n, t in self.inputs.items()},
            'params': {n: encode(t) for n, t in self.params.items()},
            'outputs': {'logits': encode(logits), 'loss': encode(loss)},
            'grads': {n: encode(self.grad(n).float()) for n in self.params},
        }
        path = os.path.join(OUT_DIR, self.name + '.json')
        with open(path, 'w') as f:
            json.dump(doc, f, separators=(',', ':'))
            f.write('\n')
        print('%-48s %7d bytes  %4d params  loss %.9g' % (os.path.relpath(path), os.path.getsize(path),
                                                           len(self.params), loss.item()))


def sinusoids(length, d, halves):
    pos = torch.arange(length, dtype=torch.float64)[:, None]
    angle = pos / torch.pow(10000.0, torch.arange(0, d, 2, dtype=torch.float64) / d)  # (length, d/2)
    if halves:
        return torch.cat([torch.sin(angle), torch.cos(angle)], dim=1)
    pe = torch.zeros(length, d, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return pe


def embed(f, table, positional_name, ids):
    """Section 3.4-3.5: E[ids] (* sqrt(d)) + PE, (B, L) -> (B, L, d)."""
    c, length = f.c, ids.shape[1]
    x = table[ids] * (math.sqrt(c['dModel']) if c['scaleEmbedding'] else 1.0)
    if c['positionalEncoding'] == 'learned':
        return x + f.leaf(positional_name, c['maxLength'], c['dModel'])[:length]
    return x + sinusoids(c['maxLength'], c['dModel'], c['positionalEncoding'] == 'sinusoidal-halves')[:length]


def output_projection(f, x, table, prefix):
    """(B, L, d) -> (B, L, V): the tied embedding or its own matrix, and the optional final-logits bias."""
    c = f.c
    w = table if c['tieOutput'] else f.leaf(prefix + 'projection.weight', c['vocabSize'], c['dModel'])
    logits = x @ w.t()
    return logits + f.leaf(prefix + 'finalLogitsBias', c['vocabSize']) if c['finalLogitsBias'] else logits


def layer_kwargs(c):
    return dict(d_model=c['dModel'], nhead=c['h'], dim_feedforward=c['dFF'], dropout=0.0,
                activation=ACTIVATIONS[c['activation']], layer_norm_eps=c['layerNormEps'], batch_first=True,
                norm_first=c['normPosition'] == 'pre', dtype=torch.float64)


def bind_encoder_layer(f, prefix, layer):
    f.bind(prefix + 'selfAttention.qkv.weight', layer.self_attn.in_proj_weight)
    f.bind(prefix + 'selfAttention.qkv.bias', layer.self_attn.in_proj_bias)
    f.bind(prefix + 'selfAttention.out.weight', layer.self_attn.out_proj.weight)
    f.bind(prefix + 'selfAttention.out.bias', layer.self_attn.out_proj.bias)
    bind_norm(f, prefix + 'norm1', layer.norm1)
    bind_ffn(f, prefix, layer)
    bind_norm(f, prefix + 'norm2', layer.norm2)


def bind_decoder_layer(f, prefix, layer, d):
    f.bind(prefix + 'selfAttention.qkv.weight', layer.self_attn.in_proj_weight)
    f.bind(prefix + 'selfAttention.qkv.bias', layer.self_attn.in_proj_bias)
    f.bind(prefix + 'selfAttention.out.weight', layer.self_attn.out_proj.weight)
    f.bind(prefix + 'selfAttention.out.bias', layer.self_attn.out_proj.bias)
    bind_norm(f, prefix + 'norm1', layer.norm1)
    cross = layer.multihead_attn
    f.bind(prefix + 'crossAttention.q.weight', cross.in_proj_weight, slice(0, d))
    f.bind(prefix + 'crossAttention.q.bias', cross.in_proj_bias, slice(0, d))
    f.bind(prefix + 'crossAttention.kv.weight', cross.in_proj_weight, slice(d, 3 * d))
    f.bind(prefix + 'crossAttention.kv.bias', cross.in_proj_bias, slice(d, 3 * d))
    f.bind(prefix + 'crossAttention.out.weight', cross.out_proj.weight)
    f.bind(prefix + 'crossAttention.out.bias', cross.out_proj.bias)
    bind_norm(f, prefix + 'norm2', layer.norm2)
    bind_ffn(f, prefix, layer)
    bind_norm(f, prefix + 'norm3', layer.norm3)


def bind_ffn(f, prefix, layer):
    f.bind(prefix + 'ffn.w1.weight', layer.linear1.weight)
    f.bind(prefix + 'ffn.w1.bias', layer.linear1.bias)
    f.bind(prefix + 'ffn.w2.weight', layer.linear2.weight)
    f.bind(prefix + 'ffn.w2.bias', layer.linear2.bias)


def bind_norm(f, prefix, norm):
    f.bind(prefix + '.weight', norm.weight)
    f.bind(prefix + '.bias', norm.bias)


def encoder_stack(f, prefix, layers, final_norm):
    """A TransformerEncoder bound to our `prefix`layers.i and `prefix`finalNorm (pre-norm only)."""
    c = f.c
    norm = nn.LayerNorm(c['dModel'], eps=c['layerNormEps'], dtype=torch.float64) if final_norm else None
    stack = nn.TransformerEncoder(nn.TransformerEncoderLayer(**layer_kwargs(c)), layers, norm=norm,
                                  enable_nested_tensor=False)
    for i, layer in enumerate(stack.layers):
        bind_encoder_layer(f, f'{prefix}layers.{i}.', layer)
    if final_norm:
        bind_norm(f, prefix + 'finalNorm', stack.norm)
    return stack.train()


def causal_mask(length):
    """(L, L) float: -inf above the diagonal, what nn.Transformer.generate_square_subsequent_mask gives."""
    return torch.triu(torch.full((length, length), float('-inf'), dtype=torch.float64), diagonal=1)


def random_ids(f, rows, cols, vocab, lengths, low=3):
    """(rows, cols) ids in [low, vocab) with pad 0 after each row's length."""
    ids = torch.randint(low, vocab, (rows, cols), generator=f.gen, dtype=torch.int32)
    for r, n in enumerate(lengths):
        ids[r, n:] = 0
    return ids.tolist()


def encoder_decoder(name, description, seed, overrides):
    f = Variant(name, description, seed, 'encoder-decoder', overrides)
    c, d = f.c, f.c['dModel']
    source_table = f.leaf('sourceEmbedding.weight', c['sourceVocabSize'], d)
    target_table = source_table if c['shareEmbeddings'] else f.leaf('targetEmbedding.weight', c['vocabSize'], d)
    pre = c['normPosition'] == 'pre'
    model = nn.Transformer(num_encoder_layers=c['encoderLayers'], num_decoder_layers=c['decoderLayers'],
                           **layer_kwargs(c))
    if not pre:
        model.encoder.norm = None
        model.decoder.norm = None
    for i, layer in enumerate(model.encoder.layers):
        bind_encoder_layer(f, f'encoder.layers.{i}.', layer)
    if pre:
        bind_norm(f, 'encoder.finalNorm', model.encoder.norm)
    for i, layer in enumerate(model.decoder.layers):
        bind_decoder_layer(f, f'decoder.layers.{i}.', layer, d)
    if pre:
        bind_norm(f, 'decoder.finalNorm', model.decoder.norm)
    model.train()

    source = f.ids('source', random_ids(f, B, S, c['sourceVocabSize'], [S, 4]))  # (B, S)
    # The target behind the decoder-start token, ending in eos; the second one padded.
    target = torch.tensor(random_ids(f, B, T, c['vocabSize'], [T, 3]), dtype=torch.int64)  # (B, T)
    target[0, T - 1], target[1, 3] = c['eosId'], c['eosId']
    target_input = f.ids('targetInput', torch.cat([torch.full((B, 1), c['bosId']), target[:, :-1]], 1).tolist())
    pad = source == c['padId']  # (B, S), True = masked out
    x = model(embed(f, source_table, 'encoder.positional.weight', source),
              embed(f, target_table, 'decoder.positional.weight', target_input),
              tgt_mask=causal_mask(T), src_key_padding_mask=pad, memory_key_padding_mask=pad)  # (B, T, d)
    logits = output_projection(f, x, target_table, 'output.')  # (B, T, V)
    f.write(logits, target, c['padId'], [model])


def encoder_only(name, description, seed, overrides):
    f = Variant(name, description, seed, 'encoder-only', overrides)
    c, d = f.c, f.c['dModel']
    table = f.leaf('embedding.weight', c['vocabSize'], d)
    stack = encoder_stack(f, 'encoder.', c['encoderLayers'], c['normPosition'] == 'pre')
    ids = f.ids('ids', random_ids(f, B, S, c['vocabSize'], [S, 5]))  # (B, S)
    pad = ids == c['padId']
    x = stack(embed(f, table, 'encoder.positional.weight', ids), src_key_padding_mask=pad)  # (B, S, d)

    def linear(prefix, x, d_out):
        return x @ f.leaf(prefix + '.weight', d_out, x.shape[-1]).t() + f.leaf(prefix + '.bias', d_out)

    if c['head'] == 'masked-lm':
        hidden = ACTIVATIONS[c['activation']](linear('head.dense', x, d))  # (B, S, d)
        normed = F.layer_norm(hidden, (d,), f.leaf('head.norm.weight', d), f.leaf('head.norm.bias', d),
                              eps=c['layerNormEps'])
        logits = output_projection(f, normed, table, 'head.output.')  # (B, S, V)
        # Predict a few positions, as masked-LM training does; the rest are pads (ignored).
        targets = torch.zeros(B, S, dtype=torch.int64)
        targets[0, 1], targets[0, 4], targets[1, 2] = 5, 9, 11
        ignore = c['padId']
    elif c['head'] == 'sequence-classification':
        if c['pooling'] == 'mean':  # the mean of the tokens' states, padding left out
            keep = (~pad).to(x.dtype).unsqueeze(-1)  # (B, S, 1)
            summary = (x * keep).sum(1) / keep.sum(1)  # (B, d)
        else:
            summary = x[:, 0]  # the first position's state
        logits = linear('head.classifier', torch.tanh(linear('head.pool', summary, d)), c['numLabels'])  # (B, C)
        targets, ignore = torch.randint(0, c['numLabels'], (B,), generator=f.gen), -100
    else:
        logits = linear('head.classifier', x, c['numLabels'])  # (B, S, C)
        targets = torch.randint(0, c['numLabels'], (B, S), generator=f.gen)
        targets, ignore = targets.masked_fill(pad, -100), -100
    f.write(logits, targets, ignore, [stack])


def decoder_only(name, description, seed, overrides):
    f = Variant(name, description, seed, 'decoder-only', overrides)
    c, d = f.c, f.c['dModel']
    table = f.leaf('embedding.weight', c['vocabSize'], d)
    stack = encoder_stack(f, 'decoder.', c['decoderLayers'], c['normPosition'] == 'pre')
    tokens = torch.tensor(random_ids(f, B, T + 1, c['vocabSize'], [T + 1, 4]), dtype=torch.int64)  # (B, T + 1)
    tokens[:, 0], tokens[1, 3] = c['bosId'], c['eosId']
    ids = f.ids('ids', tokens[:, :-1].tolist())  # (B, T)
    x = stack(embed(f, table, 'decoder.positional.weight', ids), mask=causal_mask(T))  # (B, T, d)
    logits = output_projection(f, x, table, 'output.')  # (B, T, V)
    f.write(logits, tokens[:, 1:], c['padId'], [stack])


VARIANTS = [
    (encoder_decoder, 'encoder-decoder', 'The defaults: post-norm, relu, interleaved sinusoids, embeddings scaled '
     'by sqrt(d_model), one embedding table for source, target and output', {}),
    (encoder_decoder, 'encoder-decoder-pre-norm', 'Pre-norm layers with final encoder and decoder norms',
     {'normPosition': 'pre'}),
    (encoder_decoder, 'encoder-decoder-gelu', 'GELU (erf) feed-forward activation', {'activation': 'gelu'}),
    (encoder_decoder, 'encoder-decoder-swish', 'Swish (SiLU) feed-forward activation', {'activation': 'swish'}),
    (encoder_decoder, 'encoder-decoder-sinusoidal-halves', 'Sinusoids with the sines in the first half of the '
     'columns, the cosines in the second', {'positionalEncoding': 'sinusoidal-halves'}),
    (encoder_decoder, 'encoder-decoder-learned-positions', 'Learned positional embeddings, one table per stack',
     {'positionalEncoding': 'learned'}),
    (encoder_decoder, 'encoder-decoder-unscaled', 'Embeddings not multiplied by sqrt(d_model)',
     {'scaleEmbedding': False}),
    (encoder_decoder, 'encoder-decoder-untied', 'Source and target embeddings of different vocabularies, an '
     'output projection of its own and a final-logits bias',
     {'shareEmbeddings': False, 'sourceVocabSize': 11, 'tieOutput': False, 'finalLogitsBias': True}),
    (encoder_only, 'encoder-only-masked-lm', 'Encoder with the masked-LM head (dense, activation, layer norm, '
     'tied output)', {'kind': 'encoder-only', 'head': 'masked-lm'}),
    (encoder_only, 'encoder-only-sequence-classification', 'Encoder with the first position pooled through '
     'dense + tanh into 3 classes', {'kind': 'encoder-only', 'head': 'sequence-classification', 'numLabels': 3}),
    (encoder_only, 'encoder-only-token-classification', 'Encoder with a 3-class classifier at every position',
     {'kind': 'encoder-only', 'head': 'token-classification', 'numLabels': 3}),
    (decoder_only, 'decoder-only', 'Causal language model, post-norm', {'kind': 'decoder-only'}),
    (decoder_only, 'decoder-only-pre-norm', 'Causal language model, pre-norm with a final norm',
     {'kind': 'decoder-only', 'normPosition': 'pre'}),
    (encoder_only, 'encoder-only-sequence-classification-mean', 'Encoder with the mean of the tokens (padding '
     'left out) pooled through dense + tanh into 3 classes',
     {'kind': 'encoder-only', 'head': 'sequence-classification', 'numLabels': 3, 'pooling': 'mean'}),
]


def main():
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    for seed, (build, name, description, overrides) in enumerate(VARIANTS, start=1):
        build(name, description, seed, overrides)


if __name__ == '__main__':
    main()
