"""MarianMT in plain PyTorch (torch 1.13, no transformers package): Hugging Face's MarianMTModel
re-implemented with its parameter names and conventions, a Hugging Face folder reader and writer, and
our beam search (src/decode/beam.ts) on a key/value cache. scripts/make_marian_fixtures.py builds the
parity fixtures with it; bench/marian-vs-torch.js times it against `transformer` on newstest2014.

The model, as modeling_marian.py has it: post-norm layers (self_attn -> self_attn_layer_norm,
encoder_attn -> encoder_attn_layer_norm, fc1 -> activation -> fc2 -> final_layer_norm), queries scaled
by head_dim^-0.5, token embeddings times sqrt(d_model) when scale_embedding, plus fixed sinusoids with
all sines in the first d/2 columns and all cosines in the last d/2, logits = lm_head(h) +
final_logits_bias with lm_head tied to the (shared) embedding. The decoder starts from
decoder_start_token_id (the pad token) and generation never emits the bad_words_ids tokens.

The beam search is ours, not Hugging Face's, so that both sides run one algorithm: fairseq's handling
of finished hypotheses and the GNMT length penalty ((5 + |Y|) / 6)^alpha, |Y| counting EOS (see the
header of src/decode/beam.ts). Banned tokens get logit -inf before the log-softmax at every step.
At most floor(a |source| + b) tokens precede EOS, and only EOS is allowed at that length.

Bench usage (the ids come from our MarianTokenizer, so both sides translate the same inputs):
    /usr/bin/python3 bench/torch_marian.py --model DIR --make-folder CORPUS   (once: a random base-size folder)
    /usr/bin/python3 bench/torch_marian.py --model DIR --ids FILE [--beam 4] [--threads 2]
        [--batch-size 32] [--max-len-a 1] [--max-len-b 0] [--alpha 0.6] [--limit N] [--mkldnn] [--out FILE]
FILE holds one source per line as space-separated ids (EOS included). The last line printed is JSON
{"sentences_per_second", "tokens_per_second", "seconds", "sentences", "tokens", ...}; --out writes the
best hypothesis of each source as ids, one line each, in input order.
"""
import argparse
import json
import math
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ACTIVATIONS = {'swish': F.silu, 'silu': F.silu, 'relu': F.relu, 'gelu': F.gelu}


# ----------------------------------------------------------------------------------------------------
# Folders: config.json and model.safetensors (F32 written; F32, F16 and BF16 read).

def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        array = tensors[name].detach().to(torch.float32).contiguous().numpy()
        data = array.astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(array.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header['__metadata__'] = metadata or {'format': 'pt'}
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop('__metadata__', None)
    out = {}
    for name, entry in header.items():
        begin, end = entry['data_offsets']
        data = raw[8 + n + begin:8 + n + end]
        if entry['dtype'] == 'F32':
            array = np.frombuffer(data, dtype='<f4').astype(np.float32)
        elif entry['dtype'] == 'F16':
            array = np.frombuffer(data, dtype='<f2').astype(np.float32)
        elif entry['dtype'] == 'BF16':
            array = (np.frombuffer(data, dtype='<u2').astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(f'{path}: {name} has dtype {entry["dtype"]}')
        out[name] = torch.from_numpy(array.reshape(entry['shape']).copy())
    return out


def sinusoids(n, d):
    """Marian's table: column j < d/2 is sin(pos / 10000^(2j/d)), column d/2 + j the cosine of the same."""
    pos = np.arange(n, dtype=np.float64)[:, None]
    rate = np.power(10000.0, 2 * np.arange(d // 2, dtype=np.float64) / d)[None, :]
    return torch.from_numpy(np.concatenate([np.sin(pos / rate), np.cos(pos / rate)], axis=1))


# ----------------------------------------------------------------------------------------------------
# The model.

class Attention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h, self.dk = h, d // h
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))

    def heads(self, x):  # (B, T, d) -> (B, h, T, dk)
        return x.view(x.shape[0], x.shape[1], self.h, self.dk).transpose(1, 2)

    def forward(self, x, memory=None, mask=None, cache=None, causal=False):
        """mask: additive, broadcastable to (B, h, Tq, Tk). cache: a dict kept between decoding steps."""
        q = self.heads(self.q_proj(x)) * self.dk ** -0.5  # (B, h, Tq, dk)
        if memory is None:
            k, v = self.heads(self.k_proj(x)), self.heads(self.v_proj(x))
            if cache is not None:
                if 'k' in cache:
                    k, v = torch.cat([cache['k'], k], 2), torch.cat([cache['v'], v], 2)
                cache['k'], cache['v'] = k, v
        elif cache is not None and 'k' in cache:
            k, v = cache['k'], cache['v']
        else:
            k, v = self.heads(self.k_proj(memory)), self.heads(self.v_proj(memory))
            if cache is not None:
                cache['k'], cache['v'] = k, v
        scores = q @ k.transpose(2, 3)  # (B, h, Tq, Tk)
        tq, tk = scores.shape[2], scores.shape[3]
        if causal and tq > 1:
            future = torch.ones(tq, tk, dtype=torch.bool).triu(tk - tq + 1)
            scores = scores.masked_fill(future, torch.finfo(scores.dtype).min)
        if mask is not None:
            scores = scores + mask
        out = torch.softmax(scores, -1) @ v  # (B, h, Tq, dk)
        return self.out_proj(out.transpose(1, 2).reshape(x.shape[0], tq, -1))


class EncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['d_model']
        self.self_attn = Attention(d, c['encoder_attention_heads'])
        self.self_attn_layer_norm = nn.LayerNorm(d)
        self.fc1, self.fc2 = nn.Linear(d, c['encoder_ffn_dim']), nn.Linear(c['encoder_ffn_dim'], d)
        self.final_layer_norm = nn.LayerNorm(d)
        self.act = ACTIVATIONS[c.get('activation_function', 'gelu')]

    def forward(self, x, mask):
        x = self.self_attn_layer_norm(x + self.self_attn(x, mask=mask))
        return self.final_layer_norm(x + self.fc2(self.act(self.fc1(x))))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['d_model']
        self.self_attn = Attention(d, c['decoder_attention_heads'])
        self.self_attn_layer_norm = nn.LayerNorm(d)
        self.encoder_attn = Attention(d, c['decoder_attention_heads'])
        self.encoder_attn_layer_norm = nn.LayerNorm(d)
        self.fc1, self.fc2 = nn.Linear(d, c['decoder_ffn_dim']), nn.Linear(c['decoder_ffn_dim'], d)
        self.final_layer_norm = nn.LayerNorm(d)
        self.act = ACTIVATIONS[c.get('activation_function', 'gelu')]

    def forward(self, x, memory, memory_mask, cache=None):
        self_cache, cross_cache = (None, None) if cache is None else cache
        x = self.self_attn_layer_norm(x + self.self_attn(x, cache=self_cache, causal=True))
        x = self.encoder_attn_layer_norm(x + self.encoder_attn(x, memory, memory_mask, cross_cache))
        return self.final_layer_norm(x + self.fc2(self.act(self.fc1(x))))


class Stack(nn.Module):
    def __init__(self, c, embed_tokens, layer, n):
        super().__init__()
        self.embed_tokens = embed_tokens
        self.scale = math.sqrt(c['d_model']) if c.get('scale_embedding', False) else 1.0
        self.register_buffer('positions', sinusoids(c['max_position_embeddings'], c['d_model']).float(),
                             persistent=False)
        self.layers = nn.ModuleList(layer(c) for _ in range(n))

    def embed(self, ids, offset=0):
        return self.embed_tokens(ids) * self.scale + self.positions[offset:offset + ids.shape[1]].to(
            self.embed_tokens.weight.dtype)


class MarianModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        pad, d = c['pad_token_id'], c['d_model']
        self.shared = nn.Embedding(c['vocab_size'], d, pad)
        self.encoder = Stack(c, self.shared, EncoderLayer, c['encoder_layers'])
        self.decoder = Stack(c, self.shared, DecoderLayer, c['decoder_layers'])


class MarianMTModel(nn.Module):
    """Shared source/target embeddings tied to lm_head (share_encoder_decoder_embeddings and
    tie_word_embeddings, as every OPUS-MT model)."""

    def __init__(self, c):
        super().__init__()
        assert c.get('share_encoder_decoder_embeddings', True) and c.get('tie_word_embeddings', True)
        self.config = c
        self.model = MarianModel(c)
        self.register_buffer('final_logits_bias', torch.zeros(1, c['vocab_size']))
        self.lm_head = nn.Linear(c['d_model'], c['vocab_size'], bias=False)
        self.lm_head.weight = self.model.shared.weight
        self.banned = [ids[0] for ids in c.get('bad_words_ids', [])]

    def padding_mask(self, src):  # (B, S) -> additive (B, 1, 1, S)
        dtype = self.model.shared.weight.dtype
        return (src == self.config['pad_token_id']).to(dtype)[:, None, None, :] * torch.finfo(dtype).min

    def encode(self, src):
        mask = self.padding_mask(src)
        x = self.model.encoder.embed(src)
        for layer in self.model.encoder.layers:
            x = layer(x, mask)
        return x, mask

    def decode(self, ids, memory, mask, caches=None, offset=0):
        x = self.model.decoder.embed(ids, offset)
        for i, layer in enumerate(self.model.decoder.layers):
            x = layer(x, memory, mask, None if caches is None else caches[i])
        return self.lm_head(x) + self.final_logits_bias

    def forward(self, src, decoder_input):
        memory, mask = self.encode(src)
        return self.decode(decoder_input, memory, mask)

    def hf_state_dict(self):
        """What Hugging Face saves: tied tensors once, as model.shared.weight; no position tables."""
        drop = ('model.encoder.embed_tokens.weight', 'model.decoder.embed_tokens.weight', 'lm_head.weight')
        return {k: v for k, v in self.state_dict().items() if k not in drop}

    def load_hf_state_dict(self, tensors):
        tensors = dict(tensors)
        for alias in ('model.encoder.embed_tokens.weight', 'model.decoder.embed_tokens.weight', 'lm_head.weight'):
            tensors.setdefault(alias, tensors['model.shared.weight'])
        tensors.setdefault('final_logits_bias', torch.zeros(1, self.config['vocab_size']))
        for name in list(tensors):
            if '.embed_positions.' in name:
                del tensors[name]
        self.load_state_dict(tensors, strict=True)


def load_folder(path, dtype=torch.float32):
    with open(os.path.join(path, 'config.json')) as f:
        config = json.load(f)
    model = MarianMTModel(config)
    model.load_hf_state_dict(read_safetensors(os.path.join(path, 'model.safetensors')))
    return model.to(dtype).eval()


# ----------------------------------------------------------------------------------------------------
# Our beam search (src/decode/beam.ts) on the key/value cache.

def beam_search(model, sources, beam=4, nbest=1, alpha=0.6, max_len_a=1.0, max_len_b=50):
    """sources: lists of ids (EOS included). Returns per source the nbest finished hypotheses, best
    first, as dicts {tokens (without EOS), logprob, score}."""
    c = model.config
    k, eos, start, pad = beam, c['eos_token_id'], c['decoder_start_token_id'], c['pad_token_id']
    limit = c['max_position_embeddings'] - 1
    max_lens = [max(0, min(math.floor(max_len_a * len(s) + max_len_b), limit)) for s in sources]
    src = torch.full((len(sources), max(map(len, sources))), pad, dtype=torch.long)
    for b, s in enumerate(sources):
        src[b, :len(s)] = torch.tensor(s)
    finished = [[] for _ in sources]
    with torch.no_grad():
        memory, mask = model.encode(src)
        rows = torch.arange(len(sources)).repeat_interleave(k)
        memory, mask = memory[rows], mask[rows]
        caches = [({}, {}) for _ in model.model.decoder.layers]
        alive = list(range(len(sources)))
        beams = [[{'tokens': [], 'logprob': 0.0, 'row': j * k + i} for i in range(k)] for j in range(len(alive))]
        step = 0
        while alive:
            last = torch.tensor([[h['tokens'][-1] if h['tokens'] else start] for bl in beams for h in bl])
            logits = model.decode(last, memory, mask, caches, step)[:, 0]  # (N, V)
            if model.banned:
                logits[:, model.banned] = -math.inf
            n, V = len(alive), logits.shape[1]
            logprobs = torch.log_softmax(logits, -1).to(torch.float64).view(n, k, V)
            # At the maximum length only EOS may follow (every hypothesis of a source has the same length).
            full = torch.tensor([step >= max_lens[b] for b in alive])
            if full.any():
                eos_column = logprobs[full, :, eos].clone()
                logprobs[full] = -math.inf
                logprobs[full, :, eos] = eos_column
            totals = torch.tensor([[h['logprob'] for h in bl] for bl in beams], dtype=torch.float64)
            if step == 0:
                totals[:, 1:] = -math.inf  # the k rows are one hypothesis: extend only the first
            totals = (totals[:, :, None] + logprobs).view(n, k * V)
            top = torch.topk(totals, 2 * k, dim=1)
            next_alive, next_beams = [], []
            for j, (b, values, indices) in enumerate(zip(alive, top.values.tolist(), top.indices.tolist())):
                # Best first; equal totals in the order ours scans them (hypothesis, then token id).
                candidates = sorted((-s, i) for s, i in zip(values, indices) if s != -math.inf)
                nxt = []
                for rank, (neg, index) in enumerate(candidates):
                    h, token = beams[j][index // V], index % V
                    if token == eos:
                        if rank >= k or len(finished[b]) >= k:
                            continue
                        length = len(h['tokens']) + 1
                        finished[b].append(
                            {'tokens': h['tokens'], 'logprob': -neg, 'score': -neg / ((5 + length) / 6) ** alpha})
                    elif len(nxt) < k:
                        nxt.append({'tokens': h['tokens'] + [token], 'logprob': -neg, 'row': h['row']})
                if len(finished[b]) >= k or not nxt:
                    continue
                while len(nxt) < k:
                    nxt.append(dict(nxt[0], logprob=-math.inf))
                next_alive.append(b)
                next_beams.append(nxt)
            if not next_alive:
                break
            order = torch.tensor([h['row'] for bl in next_beams for h in bl])
            shrink = len(order) != memory.shape[0]
            for self_cache, cross_cache in caches:
                self_cache['k'], self_cache['v'] = self_cache['k'][order], self_cache['v'][order]
                if shrink:
                    cross_cache['k'], cross_cache['v'] = cross_cache['k'][order], cross_cache['v'][order]
            if shrink:
                memory, mask = memory[order], mask[order]
            for r, h in enumerate(h for bl in next_beams for h in bl):
                h['row'] = r
            alive, beams = next_alive, next_beams
            step += 1
    return [sorted(f, key=lambda h: -h['score'])[:nbest] for f in finished]


# ----------------------------------------------------------------------------------------------------
# The benchmark side.

def translate_all(model, sources, beam, batch_size, **options):
    """Sorted by length into batches (as translateIds does), results back in input order."""
    order = sorted(range(len(sources)), key=lambda i: (len(sources[i]), i))
    out = [None] * len(sources)
    for begin in range(0, len(order), batch_size):
        batch = order[begin:begin + batch_size]
        for i, hyps in zip(batch, beam_search(model, [sources[i] for i in batch], beam=beam, **options)):
            out[i] = hyps[0]['tokens'] if hyps else []
    return out


def make_folder(path, corpus, vocab_size=8000, d_model=512, layers=6, heads=8, ffn=2048, seed=0):
    """A base-size MarianMT folder with random weights (Hugging Face's initialization: normal(0, 0.02),
    pad row zero, zero biases, unit layer norms) and a unigram SentencePiece model trained on `corpus`
    (comma-separated files; used for both source.spm and target.spm, as one vocab.json: "</s>" 0,
    "<unk>" 1, pieces, "<pad>")."""
    import io
    import sentencepiece as spm
    lines = []
    for file in corpus.split(','):
        with open(file, encoding='utf-8') as f:
            lines += [line.strip() for line in f if line.strip()]
    model_file = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model_file, model_type='unigram',
                                   vocab_size=vocab_size, character_coverage=1.0, num_threads=2, minloglevel=2)
    sp = spm.SentencePieceProcessor(model_proto=model_file.getvalue())
    vocab = {'</s>': 0, '<unk>': 1}
    for i in range(sp.get_piece_size()):
        if not (sp.is_control(i) or sp.is_unknown(i)):
            vocab[sp.id_to_piece(i)] = len(vocab)
    vocab['<pad>'] = len(vocab)
    pad = vocab['<pad>']
    config = {
        'architectures': ['MarianMTModel'], 'model_type': 'marian', 'is_encoder_decoder': True,
        'vocab_size': len(vocab), 'decoder_vocab_size': len(vocab), 'share_encoder_decoder_embeddings': True,
        'tie_word_embeddings': True, 'd_model': d_model, 'encoder_layers': layers, 'decoder_layers': layers,
        'encoder_attention_heads': heads, 'decoder_attention_heads': heads, 'encoder_ffn_dim': ffn,
        'decoder_ffn_dim': ffn, 'activation_function': 'swish', 'max_position_embeddings': 512,
        'scale_embedding': True, 'static_position_embeddings': True, 'dropout': 0.1, 'attention_dropout': 0.0,
        'activation_dropout': 0.0, 'init_std': 0.02, 'pad_token_id': pad, 'eos_token_id': 0,
        'forced_eos_token_id': 0, 'decoder_start_token_id': pad, 'bad_words_ids': [[pad]], 'num_beams': 4,
        'max_length': 512, 'use_cache': True,
    }
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('layer_norm.weight'):
                p.fill_(1.0)
            elif name.endswith('bias'):
                p.zero_()
            else:
                p.normal_(0.0, 0.02)
        model.model.shared.weight[pad] = 0
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(path, 'vocab.json'), 'w', encoding='utf-8') as f:
        json.dump(vocab, f, ensure_ascii=False)
    for name in ('source.spm', 'target.spm'):
        with open(os.path.join(path, name), 'wb') as f:
            f.write(model_file.getvalue())
    write_safetensors(os.path.join(path, 'model.safetensors'), model.hf_state_dict())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', required=True)
    parser.add_argument('--ids')
    parser.add_argument('--make-folder', metavar='CORPUS',
                        help='write a random base-size Marian folder at --model, its SentencePiece model '
                             'trained on CORPUS (comma-separated files), and exit')
    parser.add_argument('--beam', type=int, default=4)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--max-len-a', type=float, default=1.0)
    parser.add_argument('--max-len-b', type=int, default=0)
    parser.add_argument('--alpha', type=float, default=0.6)
    parser.add_argument('--limit', type=int, default=0, help='translate only the first N sources')
    parser.add_argument('--mkldnn', action='store_true',
                        help="run the linear layers through oneDNN (torch.utils.mkldnn) instead of torch's BLAS")
    parser.add_argument('--out')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.make_folder:
        make_folder(args.model, args.make_folder)
        return
    if not args.ids:
        parser.error('--ids FILE is required')
    model = load_folder(args.model)
    if args.mkldnn:
        from torch.utils import mkldnn
        model = mkldnn.to_mkldnn(model)
    with open(args.ids) as f:
        sources = [[int(x) for x in line.split()] for line in f if line.strip()]
    if args.limit > 0:
        sources = sources[:args.limit]
    began = time.perf_counter()
    outputs = translate_all(model, sources, args.beam, args.batch_size, alpha=args.alpha,
                            max_len_a=args.max_len_a, max_len_b=args.max_len_b)
    seconds = time.perf_counter() - began
    tokens = sum(len(o) for o in outputs)
    if args.out:
        with open(args.out, 'w') as f:
            f.writelines(' '.join(map(str, o)) + '\n' for o in outputs)
    blas = 'oneDNN' if args.mkldnn else 'BLAS'
    print(f'torch {torch.__version__} ({blas}): {len(sources)} sentences, beam {args.beam}, {args.threads} threads: '
          f'{seconds:.1f} s = {len(sources) / seconds:.2f} sentences/s, {tokens / seconds:.1f} tokens/s')
    print(json.dumps({'sentences_per_second': round(len(sources) / seconds, 3),
                      'tokens_per_second': round(tokens / seconds, 1), 'seconds': round(seconds, 2),
                      'sentences': len(sources), 'tokens': tokens, 'beam': args.beam, 'threads': args.threads,
                      'batch_size': args.batch_size, 'mkldnn': args.mkldnn, 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
