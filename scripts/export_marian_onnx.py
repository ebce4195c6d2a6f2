"""Exports a Marian folder (config.json + model.safetensors, e.g. the random base-size one that
bench/torch_marian.py --make-folder makes) to ONNX for `transformer bench decode --vs onnxruntime`:

- encoder.onnx: input_ids (B, S) int64 -> memory_mask (B, 1, 1, S), the additive source padding mask,
  and for every decoder layer i the keys and values of the encoder output, cross_k_i / cross_v_i
  (B, h, S, dk), computed once per batch as every KV-cache decoder does;
- decoder.onnx: input_ids (B, 1) int64, offset (1,) int64 (the position), memory_mask, past_k_i /
  past_v_i (B, h, t, dk; t may be 0) and cross_k_i / cross_v_i -> logits (B, 1, V) and present_k_i /
  present_v_i (B, h, t + 1, dk): one greedy or beam step on a key/value cache.

The graphs are traced from bench/torch_marian.py's MarianMTModel (the PyTorch twin of our model that
the Marian parity fixtures are checked against); the script checks that the traced decoder step gives
the logits of MarianMTModel.decode on a cache (max |difference| printed), and the bench checks
onnxruntime's logits against our engine's before timing.

usage: /usr/bin/python3 scripts/export_marian_onnx.py --model DIR [--out DIR/onnx] [--opset 14]
"""
import argparse
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench'))
from torch_marian import load_folder  # noqa: E402


class EncoderGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        memory, mask = self.model.encode(input_ids)
        outputs = [mask]
        for layer in self.model.model.decoder.layers:
            attn = layer.encoder_attn
            outputs += [attn.heads(attn.k_proj(memory)), attn.heads(attn.v_proj(memory))]
        return tuple(outputs)


class DecoderGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, offset, memory_mask, *caches):
        n = len(self.model.model.decoder.layers)
        past, cross = caches[:2 * n], caches[2 * n:]
        stack = self.model.model.decoder
        positions = torch.index_select(stack.positions, 0, offset)  # (1, d)
        x = stack.embed_tokens(input_ids) * stack.scale + positions
        present = []
        for i, layer in enumerate(stack.layers):
            self_cache = {'k': past[2 * i], 'v': past[2 * i + 1]}
            cross_cache = {'k': cross[2 * i], 'v': cross[2 * i + 1]}
            # The memory argument only selects the cached encoder-decoder path; its keys come from cross.
            x = layer(x, cross[2 * i], memory_mask, (self_cache, cross_cache))
            present += [self_cache['k'], self_cache['v']]
        logits = self.model.lm_head(x) + self.model.final_logits_bias
        return (logits, *present)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', required=True)
    parser.add_argument('--out')
    parser.add_argument('--opset', type=int, default=14)
    args = parser.parse_args()
    out = args.out or os.path.join(args.model, 'onnx')
    os.makedirs(out, exist_ok=True)
    model = load_folder(args.model)
    c = model.config
    n, h = c['decoder_layers'], c['decoder_attention_heads']
    dk = c['d_model'] // h
    torch.manual_seed(0)
    B, S, t = 2, 7, 3
    src = torch.randint(4, c['vocab_size'], (B, S))
    src[1, 5:] = c['pad_token_id']
    names = [f'{kind}_{i}' for i in range(n) for kind in ('k', 'v')]
    cross_names = [f'cross_{name}' for name in names]
    with torch.no_grad():
        encoder = EncoderGraph(model).eval()
        torch.onnx.export(encoder, (src,), os.path.join(out, 'encoder.onnx'), opset_version=args.opset,
                          input_names=['input_ids'], output_names=['memory_mask', *cross_names],
                          dynamic_axes={'input_ids': {0: 'B', 1: 'S'}, 'memory_mask': {0: 'B', 3: 'S'},
                                        **{name: {0: 'B', 2: 'S'} for name in cross_names}})
        mask, *cross = encoder(src)
        # A cache of t positions, made by the model itself, so that the check below compares real steps.
        caches = [({}, {}) for _ in range(n)]
        memory, _ = model.encode(src)
        prefix = torch.randint(4, c['vocab_size'], (B, t))
        model.decode(prefix, memory, mask, caches, 0)
        past = [cache[kind] for self_cache, _ in caches for cache, kind in ((self_cache, 'k'), (self_cache, 'v'))]
        ids = torch.randint(4, c['vocab_size'], (B, 1))
        offset = torch.tensor([t])
        decoder = DecoderGraph(model).eval()
        past_names = [f'past_{name}' for name in names]
        present_names = [f'present_{name}' for name in names]
        torch.onnx.export(decoder, (ids, offset, mask, *past, *cross), os.path.join(out, 'decoder.onnx'),
                          opset_version=args.opset,
                          input_names=['input_ids', 'offset', 'memory_mask', *past_names, *cross_names],
                          output_names=['logits', *present_names],
                          dynamic_axes={'input_ids': {0: 'B'}, 'memory_mask': {0: 'B', 3: 'S'}, 'logits': {0: 'B'},
                                        **{name: {0: 'B', 2: 'T'} for name in past_names},
                                        **{name: {0: 'B', 2: 'T1'} for name in present_names},
                                        **{name: {0: 'B', 2: 'S'} for name in cross_names}})
        # The traced step against the model's own cached decoding.
        want = model.decode(ids, memory, mask, caches, t)
        got = decoder(ids, offset, mask, *past, *cross)[0]
        diff = (got - want).abs().max().item()
    print(f'wrote {out}/encoder.onnx and {out}/decoder.onnx; traced step vs model: max |logit difference| {diff:.2e}')
    if not diff < 1e-4:
        sys.exit('the traced decoder step does not reproduce the model')


if __name__ == '__main__':
    main()
