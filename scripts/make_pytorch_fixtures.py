"""PyTorch checkpoint fixtures (pytorch_model.bin) for src/io/pytorch/, checked by test/io/pytorch.test.ts.

Run from the repository root with Debian's python3-torch (torch 1.13):

    /usr/bin/python3 scripts/make_pytorch_fixtures.py

It writes test/fixtures/pytorch/:
  config.json          a tiny MarianMT config (d_model 8, 1 + 2 layers, 2 heads, ffn 16) over the vocabulary
                       of test/fixtures/marian (whose vocab.json and .spm files the tests copy beside it)
  model.safetensors    its random weights as Hugging Face saves them today (F32, tied tensors once)
  zip.bin              the same state dict, torch.save's zip format (torch >= 1.6), as older transformers
                       saved it: every tied name present (model.shared, both embed_tokens, lm_head share
                       one storage); q_proj, k_proj and v_proj views of one fused storage (offsets);
                       fc1.weight a transposed view (strides (1, 8)).
  legacy.bin           the same, _use_new_zipfile_serialization=False (the format of torch < 1.6), with
                       the sinusoidal embed_positions tables old transformers saved
  dtypes.bin           zip format, pickle protocol 4: a few small tensors of other dtypes (F16, BF16, F64,
                       int64, int32, bool) and views (a transpose, a slice with an offset, a scalar)
  evil-system.bin      zip format: a state dict with an object whose __reduce__ calls os.system
  evil-eval.bin        legacy format: a state dict with an object whose __reduce__ calls builtins.eval
  evil-module.bin      zip format, protocol 4: a whole nn.Module saved (torch.save(model)), whose pickle
                       names torch.nn.modules.linear.Linear (STACK_GLOBAL)
  expected.json        teacher-forced logits of PyTorch on the weights loaded back with torch.load, and
                       the values of dtypes.bin as float64 lists
The evil files' commands would create the file `pickle-ran-a-command` in the working directory.
"""
import base64
import collections
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench'))
from torch_marian import MarianMTModel, sinusoids, write_safetensors  # noqa: E402

MARIAN = 'test/fixtures/marian'
OUT = 'test/fixtures/pytorch'
COMMAND = 'touch pickle-ran-a-command'


class CallsSystem:
    def __reduce__(self):
        return (os.system, (COMMAND,))


class CallsEval:
    def __reduce__(self):
        return (eval, (f"__import__('os').system({COMMAND!r})",))


def tensor_json(array, dtype):
    array = np.ascontiguousarray(array, dtype={'float32': '<f4', 'int32': '<i4'}[dtype])
    return {'shape': list(array.shape), 'dtype': dtype, 'data': base64.b64encode(array.tobytes()).decode('ascii')}


def as_old_transformers_saved(model, config, positions):
    """The full state dict with tied names sharing one storage, q/k/v as views of one fused storage and
    fc1.weight a transposed view; optionally the position tables."""
    state = collections.OrderedDict()
    for name, value in model.state_dict().items():
        state[name] = value.detach().clone()
    shared = state['model.shared.weight']
    for alias in ('model.encoder.embed_tokens.weight', 'model.decoder.embed_tokens.weight', 'lm_head.weight'):
        state[alias] = shared
    for name in list(state):
        if name.endswith('self_attn.q_proj.weight'):
            base = name[:-len('q_proj.weight')]
            fused = torch.cat([state[f'{base}{x}_proj.weight'] for x in 'qkv'])
            d = fused.shape[1]
            for i, x in enumerate('qkv'):
                state[f'{base}{x}_proj.weight'] = fused[i * d:(i + 1) * d]
        if name.endswith('fc1.weight'):
            state[name] = state[name].t().contiguous().t()
    if positions:
        table = sinusoids(config['max_position_embeddings'], config['d_model']).float()
        state['model.encoder.embed_positions.weight'] = table
        state['model.decoder.embed_positions.weight'] = table.clone()
    return state


def dtypes_state():
    g = torch.Generator().manual_seed(7)
    wide = torch.randn(3, 4, generator=g, dtype=torch.float64)
    fused = torch.arange(12, dtype=torch.float32)
    return collections.OrderedDict([
        ('half', torch.tensor([0.5, -2.0, 65504.0, 6e-8, float('inf')], dtype=torch.float16)),
        ('bfloat16', torch.tensor([1.5, -3.0, 1e30], dtype=torch.bfloat16)),
        ('double', wide),
        ('double_t', wide.t()),
        ('long', torch.tensor([[1, -2], [2 ** 31 - 1, -2 ** 31]], dtype=torch.int64)),
        ('int', torch.tensor([7, -7], dtype=torch.int32)),
        ('bool', torch.tensor([True, False, True])),
        ('slice', fused[5:9]),
        ('strided', fused.view(3, 4)[1:, ::2]),
        ('scalar', torch.tensor(3.25)),
        ('empty', torch.zeros(0, 4)),
    ])


def main():
    with open(os.path.join(MARIAN, 'config.json')) as f:
        config = json.load(f)
    config.update({'d_model': 8, 'encoder_layers': 1, 'decoder_layers': 2, 'encoder_attention_heads': 2,
                   'decoder_attention_heads': 2, 'encoder_ffn_dim': 16, 'decoder_ffn_dim': 16})
    torch.manual_seed(8)  # a seed whose translations differ by source and end at different lengths
    model = MarianMTModel(config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn(p.shape) * 0.3 + (1 if name.endswith('layer_norm.weight') else 0))
        bias = torch.randn(1, config['vocab_size']) * 0.5
        bias[0, config['eos_token_id']] += 2.5  # so that translations end, at different lengths
        model.final_logits_bias.copy_(bias)
    model.eval()

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    write_safetensors(os.path.join(OUT, 'model.safetensors'), model.hf_state_dict())
    torch.save(as_old_transformers_saved(model, config, False), os.path.join(OUT, 'zip.bin'))
    torch.save(as_old_transformers_saved(model, config, True), os.path.join(OUT, 'legacy.bin'),
               _use_new_zipfile_serialization=False)
    torch.save(dtypes_state(), os.path.join(OUT, 'dtypes.bin'), pickle_protocol=4)

    evil = collections.OrderedDict([('model.shared.weight', torch.zeros(2, 2)), ('x', CallsSystem())])
    torch.save(evil, os.path.join(OUT, 'evil-system.bin'))
    evil['x'] = CallsEval()
    torch.save(evil, os.path.join(OUT, 'evil-eval.bin'), _use_new_zipfile_serialization=False)
    torch.save(torch.nn.Linear(2, 2), os.path.join(OUT, 'evil-module.bin'), pickle_protocol=4)

    # PyTorch's own reading of the files, so that the test compares with torch.load, not with our writer.
    pad = config['pad_token_id']
    source = torch.tensor([[5, 17, 42, 99, 0], [7, 8, 0, pad, pad]])
    decoder_input = torch.tensor([[pad, 12, 30, 4], [pad, 9, 0, pad]])
    logits = {}
    for name in ('zip.bin', 'legacy.bin'):
        state = torch.load(os.path.join(OUT, name))
        loaded = MarianMTModel(config)
        loaded.load_hf_state_dict(state)
        with torch.no_grad():
            logits[name] = loaded.double().eval()(source, decoder_input)
    assert torch.equal(logits['zip.bin'], logits['legacy.bin'])
    values = {k: v.double().flatten().tolist() for k, v in torch.load(os.path.join(OUT, 'dtypes.bin')).items()}
    shapes = {k: list(v.shape) for k, v in torch.load(os.path.join(OUT, 'dtypes.bin')).items()}
    expected = {
        'format': 'transformer-ts pytorch fixture', 'version': 1,
        'description': 'scripts/make_pytorch_fixtures.py: PyTorch checkpoints and what torch.load reads from them',
        'logits': {'source': tensor_json(source.numpy(), 'int32'),
                   'decoderInput': tensor_json(decoder_input.numpy(), 'int32'),
                   'logits': tensor_json(logits['zip.bin'].numpy(), 'float32')},
        'dtypes': {k: {'shape': shapes[k], 'values': [v if np.isfinite(v) else str(v) for v in values[k]]}
                   for k in values},
        'command': COMMAND,
    }
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')
    for name in sorted(os.listdir(OUT)):
        print(f'{OUT}/{name}: {os.path.getsize(os.path.join(OUT, name))} bytes')


if __name__ == '__main__':
    main()
