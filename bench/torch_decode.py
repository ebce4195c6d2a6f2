"""Greedy decoding throughput of torch.nn.Transformer, the reference for `transformer bench decode`.

The same model as the `small` preset (d_model 256, 4 heads, d_ff 1024, 3 + 3 layers, post-norm, ReLU,
a shared 8,000-token embedding scaled by sqrt(d_model) with sinusoidal positions, the output projection
tied to it), random weights, eval mode, no dropout. Decoded as the PyTorch translation tutorial does
(greedy_decode): the encoder once, then for every new token the decoder recomputes the whole prefix
under the square subsequent mask, and the last position's logits give the argmax. B random sources of
24 tokens, exactly 24 target tokens (no stop at EOS), the encoder included in the time.

usage: /usr/bin/python3 bench/torch_decode.py [--batch-size B] [--threads 2] [--src-len 24] [--tokens 24]
       [--repeats 5]; the last line printed is {"tokens_per_second", "batch_size", "ms", ...}.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn


class Seq2Seq(nn.Module):
    def __init__(self, vocab, d_model, heads, layers, d_ff, max_len=1024):
        super().__init__()
        self.d_model = d_model
        self.embedding = nn.Embedding(vocab, d_model)
        self.transformer = nn.Transformer(d_model, heads, layers, layers, d_ff, dropout=0.0, batch_first=True)
        position = torch.arange(max_len).unsqueeze(1)
        rate = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(position * rate)
        pe[:, 1::2] = torch.cos(position * rate)
        self.register_buffer('pe', pe)

    def embed(self, ids):  # (B, L) -> (B, L, d)
        return self.embedding(ids) * math.sqrt(self.d_model) + self.pe[: ids.shape[1]]

    def encode(self, src):
        return self.transformer.encoder(self.embed(src))

    def decode(self, ys, memory):
        mask = self.transformer.generate_square_subsequent_mask(ys.shape[1])
        return self.transformer.decoder(self.embed(ys), memory, tgt_mask=mask)

    def generator(self, x):  # tied output projection
        return x @ self.embedding.weight.T


def greedy_decode(model, src, tokens, bos=1):
    memory = model.encode(src)
    ys = torch.full((src.shape[0], 1), bos, dtype=torch.long)
    for _ in range(tokens):
        out = model.decode(ys, memory)  # (B, t, d): the whole prefix again
        next_word = model.generator(out[:, -1]).argmax(-1, keepdim=True)
        ys = torch.cat([ys, next_word], dim=1)
    return ys[:, 1:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--src-len', type=int, default=24)
    parser.add_argument('--tokens', type=int, default=24)
    parser.add_argument('--vocab-size', type=int, default=8000)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = Seq2Seq(args.vocab_size, 256, 4, 3, 1024).eval()
    src = torch.randint(4, args.vocab_size, (args.batch_size, args.src_len))
    with torch.no_grad():
        greedy_decode(model, src, args.tokens)  # warm-up
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            greedy_decode(model, src, args.tokens)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    ms = times[len(times) // 2]
    tps = args.batch_size * args.tokens / (ms / 1000)
    print(f'torch {torch.__version__} decode, batch {args.batch_size}, {args.tokens} greedy tokens (prefix recomputed), '
          f'{args.threads} threads: median {ms:.1f} ms per batch = {tps:.0f} tokens/s')
    print(json.dumps({'tokens_per_second': round(tps, 1), 'batch_size': args.batch_size, 'ms': round(ms, 2),
                      'tokens': args.tokens, 'src_len': args.src_len, 'threads': args.threads,
                      'repeats': args.repeats, 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
