"""Fine-tunes a Marian folder in PyTorch and saves it as Hugging Face's save_pretrained did for years: the
round trip of docs/training.md (export with `transformer export-marian`, train in PyTorch, import back).

Plain torch 1.13 (the MarianMTModel of bench/torch_marian.py, with Hugging Face's parameter names; the
`transformers` package is not needed). From the repository root:

    /usr/bin/python3 scripts/finetune_marian_torch.py --folder EXPORTED --out NEW [--steps 5] [--lr 1e-3]
        [--ids PAIRS]

reads EXPORTED/config.json and EXPORTED/model.safetensors, trains --steps Adam updates with label-smoothed
cross-entropy (0.1, pad ignored, teacher forcing behind the pad token as decoder start) on --ids, a file of
"SOURCE IDS<TAB>TARGET IDS" lines (EOS included; e.g. what `transformer tokenizer encode` gives), or
without it on a fixed random batch, and writes NEW: the folder's other files copied, plus
pytorch_model.bin (torch.save's zip format: every name of the state dict, the tied model.shared,
model.{encoder,decoder}.embed_tokens and lm_head sharing one storage) in place of model.safetensors.
`transformer translate --model NEW`, `train --init NEW` and `convert` read it.

    /usr/bin/python3 scripts/finetune_marian_torch.py --fixture

writes the fixture test/io/finetune-roundtrip.test.ts checks, in test/fixtures/finetune/: exported/ (the
input: config.json and model.safetensors, written by `transformer export-marian` from the tiny Marian folder
of test/fixtures/pytorch), pytorch_model.bin after 5 steps on the fixed batch, and expected.json: the
teacher-forced logits (float64, stored as float32) of a fixed batch after fine-tuning.
"""
import argparse
import base64
import json
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench'))
from torch_marian import MarianMTModel, read_safetensors  # noqa: E402

FIXTURE = 'test/fixtures/finetune'
WEIGHT_FILES = {'model.safetensors', 'pytorch_model.bin'}


def load(folder):
    with open(os.path.join(folder, 'config.json')) as f:
        config = json.load(f)
    model = MarianMTModel(config)
    model.load_hf_state_dict(read_safetensors(os.path.join(folder, 'model.safetensors')))
    return model, config


def batch_of(pairs, pad):
    """Padded source ids, decoder inputs (pad, then the target shifted right) and labels."""
    S, T = max(len(s) for s, _ in pairs), max(len(t) for _, t in pairs)
    src = torch.full((len(pairs), S), pad, dtype=torch.long)
    dec = torch.full((len(pairs), T), pad, dtype=torch.long)
    labels = torch.full((len(pairs), T), pad, dtype=torch.long)
    for b, (s, t) in enumerate(pairs):
        src[b, :len(s)] = torch.tensor(s)
        dec[b, :len(t)] = torch.tensor([pad] + t[:-1])
        labels[b, :len(t)] = torch.tensor(t)
    return src, dec, labels


def random_pairs(config, n, seed):
    g = torch.Generator().manual_seed(seed)
    eos, pad, V = config['eos_token_id'], config['pad_token_id'], config['vocab_size']
    pairs = []
    for _ in range(n):
        lengths = torch.randint(2, 9, (2,), generator=g).tolist()
        ids = [[i for i in torch.randint(1, V, (k,), generator=g).tolist() if i not in (eos, pad)] + [eos]
               for k in lengths]
        pairs.append((ids[0], ids[1]))
    return pairs


def finetune(model, config, pairs, steps, lr):
    pad = config['pad_token_id']
    src, dec, labels = batch_of(pairs, pad)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for step in range(steps):
        logits = model(src, dec)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=pad,
                               label_smoothing=0.1)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        print(f'step {step + 1}: loss {loss.item():.4f}')
    return model.eval()


def save_folder(model, folder, out):
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(folder):
        if name not in WEIGHT_FILES and os.path.isfile(os.path.join(folder, name)):
            shutil.copy(os.path.join(folder, name), os.path.join(out, name))
    torch.save(model.state_dict(), os.path.join(out, 'pytorch_model.bin'))


def tensor_json(array, dtype):
    array = np.ascontiguousarray(array, dtype={'float32': '<f4', 'int32': '<i4'}[dtype])
    return {'shape': list(array.shape), 'dtype': dtype, 'data': base64.b64encode(array.tobytes()).decode('ascii')}


def logits_of(model, src, dec):
    with torch.no_grad():
        return model.double()(src, dec).float().numpy()


def fixture():
    folder = os.path.join(FIXTURE, 'exported')
    torch.manual_seed(0)
    model, config = load(folder)
    src, dec, _ = batch_of(random_pairs(config, 2, seed=2), config['pad_token_id'])
    before = logits_of(model, src, dec)
    model.float()
    finetune(model, config, random_pairs(config, 8, seed=1), steps=5, lr=1e-2)
    torch.save(model.state_dict(), os.path.join(FIXTURE, 'pytorch_model.bin'))
    after = logits_of(model, src, dec)
    expected = {
        'format': 'transformer-ts finetune fixture', 'version': 1,
        'description': 'scripts/finetune_marian_torch.py --fixture: logits after 5 Adam steps in PyTorch',
        'source': tensor_json(src.numpy(), 'int32'), 'decoderInput': tensor_json(dec.numpy(), 'int32'),
        'logits': tensor_json(after, 'float32'),
    }
    with open(os.path.join(FIXTURE, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')
    print(f'{FIXTURE}: largest logit change {np.abs(after - before).max():.3f}')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--folder')
    parser.add_argument('--out')
    parser.add_argument('--ids')
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--lr', type=float, default=1e-3)
    parser.add_argument('--fixture', action='store_true')
    args = parser.parse_args()
    if args.fixture:
        return fixture()
    if args.folder is None or args.out is None:
        parser.error('--folder and --out are required (or --fixture)')
    model, config = load(args.folder)
    if args.ids is None:
        pairs = random_pairs(config, 8, seed=1)
    else:
        with open(args.ids) as f:
            pairs = [tuple([int(i) for i in side.split()] for side in line.rstrip('\n').split('\t')) for line in f]
    finetune(model, config, pairs, args.steps, args.lr)
    save_folder(model, args.folder, args.out)
    print(f'{args.out}: pytorch_model.bin after {args.steps} steps')


if __name__ == '__main__':
    main()
