"""The Marian parity fixture: a small random MarianMT model written as a Hugging Face folder, with the
logits and beam-search outputs of the PyTorch reference (bench/torch_marian.py) that
test/io/marian.test.ts checks our loader against (logits within 1e-4, beam outputs exactly).

Run from the repository root with the Python that has PyTorch and SentencePiece (Debian's
python3-torch and python3-sentencepiece):

    /usr/bin/python3 scripts/make_marian_fixtures.py [--botchan ../shared/data/spm/botchan.txt]

It writes test/fixtures/marian/: config.json, model.safetensors (F32, tied tensors once as
model.shared.weight, as Hugging Face saves them), vocab.json, source.spm, target.spm,
tokenizer_config.json and expected.json.

The folder follows the OPUS-MT layout: a unigram source.spm with nmt_nfkc normalization and a BPE
target.spm without (each 250 pieces, trained on the two halves of botchan.txt), one vocab.json over both with "</s>" = 0, "<unk>" = 1, the
pieces, and "<pad>" last; a few pieces are left out of vocab.json so that they map to <unk>. The
model: d_model 32, 2 + 2 layers, 4 heads, ffn 64, swish, scaled embeddings shared and tied to
lm_head, sines-then-cosines positions, a random final_logits_bias (EOS raised so that beams end at
different lengths), pad as decoder start and banned by bad_words_ids. Weights are drawn in float32.

expected.json (format "transformer-ts marian fixture", version 1):
    tokenization  [{text, ids, pieces}]: source text -> pieces (source.spm) -> ids (vocab.json), EOS
                  appended; [{ids, text}]: target ids -> text (target.spm, special tokens dropped)
    logits        {source (B, S) int32 padded with pad, decoderInput (B, T) int32, logits (B, T, V)}:
                  teacher-forced, computed in float64 from the float32 weights, stored as float32
    beam          {options: {beam, nbest, alpha, maxLenA, maxLenB}, sentences: [{text, source,
                  hypotheses: [{tokens, score}], translation}]}: our beam search (GNMT length penalty,
                  fairseq's finished hypotheses; see bench/torch_marian.py) over all sentences as one
                  batch. Kept only where the float32 and float64 searches agree, so no near-tie
                  decides a test.
A tensor is {shape, dtype, data}: data is the row-major values as little-endian bytes in base64.
"""
import argparse
import base64
import io
import json
import os
import sys

import numpy as np
import sentencepiece as spm
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench'))
from torch_marian import MarianMTModel, beam_search, write_safetensors  # noqa: E402

OUT = 'test/fixtures/marian'
DROPPED = ['▁the', 'ing', '▁was']  # pieces left out of vocab.json (they become <unk>)
SPECIAL = ['</s>', '<unk>', '<pad>']

SOURCES = [
    'The school was a long way from the house.',
    'I had never seen such a thing in my life!',
    'Botchan went to Shikoku, and taught mathematics there.',
    'Naïve café owners sell crème brûlée — 日本 — for ¥500 at ＡＢＣ.',
    'He said nothing.',
    'Nobody in the village could read the letter the teacher had written.',
]
TARGETS = [
    'The house was far.',
    'He never said it.',
    'Mathematics!',
]


def train(lines, model_type, size, normalization):
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, model_type=model_type, vocab_size=size,
        normalization_rule_name=normalization, character_coverage=1.0, num_threads=1, minloglevel=2)
    return model.getvalue()


def tensor_json(array, dtype):
    array = np.ascontiguousarray(array, dtype={'float32': '<f4', 'int32': '<i4'}[dtype])
    return {'shape': list(array.shape), 'dtype': dtype, 'data': base64.b64encode(array.tobytes()).decode('ascii')}


class Tokenizer:
    """MarianTokenizer's rules (tokenization_marian.py) over two SentencePiece models and one vocabulary."""

    def __init__(self, source, target, vocab):
        self.source, self.target, self.vocab = source, target, vocab
        self.pieces = {i: p for p, i in vocab.items()}

    def encode(self, text, sp=None):
        pieces = (sp or self.source).encode(text, out_type=str)
        return [self.vocab.get(p, self.vocab['<unk>']) for p in pieces] + [self.vocab['</s>']], pieces

    def decode(self, ids):
        special = {self.vocab[p] for p in SPECIAL}
        pieces = [self.pieces[i] for i in ids if i not in special]
        return self.target.decode_pieces(pieces).replace('▁', ' ').strip()


def build_vocab(source, target):
    vocab = {'</s>': 0, '<unk>': 1}
    for sp in (source, target):
        for i in range(sp.get_piece_size()):
            piece = sp.id_to_piece(i)
            if sp.is_control(i) or sp.is_unknown(i) or piece in vocab or piece in DROPPED:
                continue
            vocab[piece] = len(vocab)
    vocab['<pad>'] = len(vocab)
    return vocab


def random_weights(model, vocab, generator):
    def randn(*shape, std):
        return torch.randn(*shape, generator=generator) * std

    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('layer_norm.weight'):
                p.copy_(1 + randn(*p.shape, std=0.1))
            elif name.endswith('bias'):
                p.copy_(randn(*p.shape, std=0.1))
            else:
                p.copy_(randn(*p.shape, std=0.1))
        model.model.shared.weight[vocab['<pad>']] = 0  # as nn.Embedding's padding_idx leaves it
        bias = randn(1, len(vocab), std=0.5)
        bias[0, vocab['</s>']] += 3.0
        model.final_logits_bias.copy_(bias)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--botchan', default='../shared/data/spm/botchan.txt')
    args = parser.parse_args()
    with open(args.botchan, encoding='utf-8') as f:
        lines = [line.strip() for line in f if line.strip()]
    half = len(lines) // 2
    source_bytes = train(lines[:half], 'unigram', 250, 'nmt_nfkc')
    target_bytes = train(lines[half:], 'bpe', 250, 'identity')
    source = spm.SentencePieceProcessor(model_proto=source_bytes)
    target = spm.SentencePieceProcessor(model_proto=target_bytes)
    vocab = build_vocab(source, target)
    pad = vocab['<pad>']
    config = {
        'architectures': ['MarianMTModel'], 'model_type': 'marian', 'is_encoder_decoder': True,
        'vocab_size': len(vocab), 'decoder_vocab_size': len(vocab), 'share_encoder_decoder_embeddings': True,
        'tie_word_embeddings': True, 'd_model': 32, 'encoder_layers': 2, 'decoder_layers': 2,
        'encoder_attention_heads': 4, 'decoder_attention_heads': 4, 'encoder_ffn_dim': 64, 'decoder_ffn_dim': 64,
        'activation_function': 'swish', 'max_position_embeddings': 64, 'scale_embedding': True,
        'static_position_embeddings': True, 'normalize_before': False, 'normalize_embedding': False,
        'dropout': 0.1, 'attention_dropout': 0.0, 'activation_dropout': 0.0, 'init_std': 0.02,
        'pad_token_id': pad, 'eos_token_id': 0, 'forced_eos_token_id': 0, 'decoder_start_token_id': pad,
        'bad_words_ids': [[pad]], 'num_beams': 4, 'max_length': 64, 'use_cache': True,
    }
    model = MarianMTModel(config)
    random_weights(model, vocab, torch.Generator().manual_seed(1))
    model.eval()

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    with open(os.path.join(OUT, 'vocab.json'), 'w', encoding='utf-8') as f:
        json.dump(vocab, f, indent=2, ensure_ascii=False)
        f.write('\n')
    with open(os.path.join(OUT, 'tokenizer_config.json'), 'w') as f:
        json.dump({'model_max_length': 512, 'separate_vocabs': False, 'eos_token': '</s>', 'unk_token': '<unk>',
                   'pad_token': '<pad>', 'tokenizer_class': 'MarianTokenizer'}, f, indent=2)
        f.write('\n')
    for name, data in (('source.spm', source_bytes), ('target.spm', target_bytes)):
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
    write_safetensors(os.path.join(OUT, 'model.safetensors'), model.hf_state_dict())

    tok = Tokenizer(source, target, vocab)
    tokenization = []
    for text in SOURCES:
        ids, pieces = tok.encode(text)
        tokenization.append({'text': text, 'ids': ids, 'pieces': pieces})

    # Teacher forcing on a padded batch, in float64.
    sources = [tok.encode(t)[0] for t in SOURCES[:len(TARGETS)]]
    targets = [tok.encode(t, target)[0] for t in TARGETS]
    S, T = max(map(len, sources)), max(map(len, targets))
    src = torch.full((len(sources), S), pad, dtype=torch.long)
    dec = torch.full((len(targets), T), pad, dtype=torch.long)
    for b, (s, t) in enumerate(zip(sources, targets)):
        src[b, :len(s)] = torch.tensor(s)
        dec[b, :len(t)] = torch.tensor([pad] + t[:-1])
    with torch.no_grad():
        logits = model.double()(src, dec)
    model.float()

    beam_options = {'beam': 4, 'nbest': 4, 'alpha': 0.6, 'maxLenA': 0, 'maxLenB': 12}
    kwargs = dict(beam=4, nbest=4, alpha=0.6, max_len_a=0, max_len_b=12)
    inputs = [tok.encode(t)[0] for t in SOURCES]
    single = beam_search(model, inputs, **kwargs)
    double = beam_search(model.double(), inputs, **kwargs)
    sentences = []
    for text, ids, a, b in zip(SOURCES, inputs, single, double):
        if [h['tokens'] for h in a] != [h['tokens'] for h in b]:
            print(f'dropped (float32 and float64 disagree): {text}')
            continue
        sentences.append({'text': text, 'source': ids,
                          'hypotheses': [{'tokens': h['tokens'], 'score': h['score']} for h in b],
                          'translation': tok.decode(b[0]['tokens'])})
    decoded = [{'ids': s['hypotheses'][0]['tokens'], 'text': s['translation']} for s in sentences]

    expected = {
        'format': 'transformer-ts marian fixture', 'version': 1,
        'description': 'scripts/make_marian_fixtures.py: a random MarianMT folder and its PyTorch outputs',
        'tokenization': {'source': tokenization, 'target': decoded},
        'logits': {'source': tensor_json(src.numpy(), 'int32'), 'decoderInput': tensor_json(dec.numpy(), 'int32'),
                   'logits': tensor_json(logits.numpy(), 'float32')},
        'beam': {'options': beam_options, 'sentences': sentences},
    }
    with open(os.path.join(OUT, 'expected.json'), 'w', encoding='utf-8') as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write('\n')
    print(f'{OUT}: vocabulary {len(vocab)}, {len(sentences)} beam sentences, logits {tuple(logits.shape)}')


if __name__ == '__main__':
    main()
