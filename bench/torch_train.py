"""Training throughput of the paper's encoder-decoder in PyTorch, built to match transformer-ts's model.

The same model as `transformer bench train` (src/model/): post-norm layers, ReLU feed-forward, fused
(3d, d) self-attention and (d, d) + (2d, d) cross-attention projections, interleaved sinusoidal
positions, embeddings scaled by sqrt(d_model), one embedding table shared by source, target and the
output projection, dropout only on the embedding sums and the sub-layer outputs (section 5.4),
padding masks on the keys; Adam 0.9 / 0.98 / 1e-9 and label smoothing 0.1 on random tokens. Written
for PyTorch 1.13 (no scaled_dot_product_attention). With --precision bf16 the forward pass and the loss
run under torch.autocast('cpu', dtype=torch.bfloat16), PyTorch's mixed precision on CPUs (matrix
products in bf16, float32 master weights and optimizer). The last line printed is one JSON object:

    /usr/bin/python3 bench/torch_train.py --preset small --batch-size 64 --threads 2 --precision bf16 --json
"""

import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

PRESETS = {
    "tiny": dict(N=2, d_model=16, d_ff=32, h=4, p_drop=0.0, vocab=13),
    "small": dict(N=3, d_model=256, d_ff=1024, h=4, p_drop=0.1, vocab=8000),
    "base": dict(N=6, d_model=512, d_ff=2048, h=8, p_drop=0.1, vocab=37000),
    "big": dict(N=6, d_model=1024, d_ff=4096, h=16, p_drop=0.3, vocab=37000),
}
PAD, BOS = 0, 1


def xavier_linear(d_in, d_out):
    layer = nn.Linear(d_in, d_out)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class MultiHeadAttention(nn.Module):
    """Section 3.2.2 with the projections fused as ours are."""

    def __init__(self, d_model, h, cross):
        super().__init__()
        self.h, self.cross = h, cross
        if cross:
            self.q = xavier_linear(d_model, d_model)
            self.kv = xavier_linear(d_model, 2 * d_model)
        else:
            self.qkv = xavier_linear(d_model, 3 * d_model)
        self.out = xavier_linear(d_model, d_model)

    def split_heads(self, x):  # (B, T, d) -> (B, h, T, dK)
        B, L, d = x.shape
        return x.view(B, L, self.h, d // self.h).transpose(1, 2)

    def forward(self, x, memory=None, key_mask=None, causal=False):
        if self.cross:
            q = self.split_heads(self.q(x))
            k, v = (self.split_heads(t) for t in self.kv(memory).chunk(2, dim=-1))
        else:
            q, k, v = (self.split_heads(t) for t in self.qkv(x).chunk(3, dim=-1))
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, h, Tq, Tk)
        if key_mask is not None:
            scores = scores.masked_fill(key_mask, float("-inf"))
        if causal:
            Tq, Tk = scores.shape[-2:]
            future = torch.ones(Tq, Tk, dtype=torch.bool).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        heads = scores.softmax(dim=-1) @ v  # (B, h, Tq, dK)
        B, h, Tq, dK = heads.shape
        return self.out(heads.transpose(1, 2).reshape(B, Tq, h * dK))


class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff):
        super().__init__()
        self.w1, self.w2 = xavier_linear(d_model, d_ff), xavier_linear(d_ff, d_model)

    def forward(self, x):
        return self.w2(F.relu(self.w1(x)))


class EncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attention = MultiHeadAttention(c["d_model"], c["h"], cross=False)
        self.norm1 = nn.LayerNorm(c["d_model"])
        self.ffn = FeedForward(c["d_model"], c["d_ff"])
        self.norm2 = nn.LayerNorm(c["d_model"])
        self.drop = nn.Dropout(c["p_drop"])

    def forward(self, x, key_mask):
        x = self.norm1(x + self.drop(self.self_attention(x, key_mask=key_mask)))
        return self.norm2(x + self.drop(self.ffn(x)))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attention = MultiHeadAttention(c["d_model"], c["h"], cross=False)
        self.norm1 = nn.LayerNorm(c["d_model"])
        self.cross_attention = MultiHeadAttention(c["d_model"], c["h"], cross=True)
        self.norm2 = nn.LayerNorm(c["d_model"])
        self.ffn = FeedForward(c["d_model"], c["d_ff"])
        self.norm3 = nn.LayerNorm(c["d_model"])
        self.drop = nn.Dropout(c["p_drop"])

    def forward(self, x, memory, memory_mask):
        x = self.norm1(x + self.drop(self.self_attention(x, causal=True)))
        x = self.norm2(x + self.drop(self.cross_attention(x, memory=memory, key_mask=memory_mask)))
        return self.norm3(x + self.drop(self.ffn(x)))


def sinusoids(length, d_model):
    position = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    angle = position / 10000 ** (torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    table = torch.zeros(length, d_model, dtype=torch.float64)
    table[:, 0::2], table[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return table.float()


class Transformer(nn.Module):
    def __init__(self, c, max_length):
        super().__init__()
        self.d_model = c["d_model"]
        self.embedding = nn.Embedding(c["vocab"], c["d_model"])  # source, target and output, tied
        nn.init.xavier_uniform_(self.embedding.weight)
        self.register_buffer("positions", sinusoids(max_length, c["d_model"]))
        self.drop = nn.Dropout(c["p_drop"])
        self.encoder = nn.ModuleList(EncoderLayer(c) for _ in range(c["N"]))
        self.decoder = nn.ModuleList(DecoderLayer(c) for _ in range(c["N"]))

    def embed(self, ids):  # (B, L) -> (B, L, d)
        x = self.embedding(ids) * math.sqrt(self.d_model)
        return self.drop(x + self.positions[: ids.shape[1]])

    def forward(self, source, target_input):
        key_mask = (source == PAD)[:, None, None, :]  # (B, 1, 1, S), True = may not attend
        memory = self.embed(source)
        for layer in self.encoder:
            memory = layer(memory, key_mask)
        x = self.embed(target_input)
        for layer in self.decoder:
            x = layer(x, memory, key_mask)
        return x @ self.embedding.weight.T  # (B, T, V)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", choices=PRESETS, default="small")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--src-len", type=int, default=24)
    parser.add_argument("--tgt-len", type=int, default=24)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", choices=["float32", "bf16"], default="float32")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    c = PRESETS[args.preset]
    B, S, L, V = args.batch_size, args.src_len, args.tgt_len, c["vocab"]
    model = Transformer(c, max(S, L, 64)).train()
    params = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9)

    def step():
        source = torch.randint(4, V, (B, S))
        target = torch.randint(4, V, (B, L))
        target_input = torch.cat([torch.full((B, 1), BOS), target[:, :-1]], dim=1)  # shifted right
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            logits = model(source, target_input)
            loss = F.cross_entropy(
                logits.float().reshape(-1, V), target.reshape(-1), label_smoothing=0.1, ignore_index=PAD
            )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss = step()
        times.append((time.perf_counter() - t0) * 1000)
    step_ms = statistics.median(times)
    tokens_per_second = B * L / (step_ms / 1000)
    print(
        f"torch {torch.__version__} train {args.preset} ({params / 1e6:.1f}M parameters, vocabulary {V}), "
        f"batch {B} x {S} source / {L} target tokens, {torch.get_num_threads()} threads, precision {args.precision}"
    )
    print(
        f"median step {step_ms:.1f} ms over {args.steps} steps (after {args.warmup} warm-up): "
        f"{tokens_per_second:.0f} target tokens/s, loss {loss:.3f}"
    )
    if args.json:
        summary = {
            "target_tokens_per_second": round(tokens_per_second, 1),
            "step_ms": round(step_ms, 2),
            "step_ms_mean": round(statistics.mean(times), 2),
            "preset": args.preset,
            "batch_size": B,
            "src_len": S,
            "tgt_len": L,
            "vocab_size": V,
            "threads": torch.get_num_threads(),
            "params": params,
            "steps": args.steps,
            "warmup": args.warmup,
            "backend": f"torch {torch.__version__}",
            "precision": args.precision,
            "loss": round(loss, 4),
        }
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
