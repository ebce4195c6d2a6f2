"""SentencePiece conformance fixtures (test/tokenizer/sentencepiece/conformance.test.ts checks our reader
against them).

Run from the repository root with Debian's python3-sentencepiece (0.1.97):

    /usr/bin/python3 scripts/make_spm_fixtures.py [shared data folder, default ../shared/data]

It reads spm/test_model.model and spm/botchan.txt from the shared data (never copied here) and writes:
    test/fixtures/spm/test_model.json     test_model.model (unigram, nmt_nfkc) on the cases below
    test/fixtures/spm/bpe.model           BPE, 500 pieces, byte fallback, user-defined "<sep>", nmt_nfkc
    test/fixtures/spm/bpe.json            ... and its encodings
    test/fixtures/spm/unigram-bytes.model unigram, 700 pieces, byte fallback, "<sep>", identity rules
    test/fixtures/spm/unigram-bytes.json  ... and its encodings
The two models are trained here on botchan.txt's lines with one thread, so they are reproducible; they are our
own files and are committed, as are the JSON files (CI has no sentencepiece).

Fixture format (version 1):
    format         "transformer-ts sentencepiece fixture"
    version        1
    model          the model file, relative to the shared data ("spm/test_model.model") or to the
                   fixture folder ("bpe.model")
    sentencepiece  the library version that wrote it
    cases          [{line | text, ids, pieces, decoded, decodedPieces}]: `line` is a 1-based line of
                   spm/botchan.txt split on "\\n" (its "\\r" and the first line's U+FEFF kept), `text`
                   a string given here; ids and pieces are what encode gives, decoded is decode(ids)
                   and decodedPieces decode(pieces).
"""

import io
import json
import os
import sys

import sentencepiece as spm

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'spm')

# Whitespace, NFKC, unknown characters, things that look like special pieces, and the empty string.
TEXTS = [
    '',
    ' ',
    '   ',
    'hello',
    ' hello  world ',
    '  leading spaces',
    'trailing spaces   ',
    'many     inner      spaces',
    'tab\tseparated\twords',
    'line\nbreak',
    'carriage return\r\n',
    'I saw a girl with a telescope.',
    '"Don\'t!" he said \u2014 \u2018no\u2019.',
    '\uff21\uff22\uff23\uff11\uff12\uff13 \uff41\uff42\uff43',
    '\uff76\uff80\uff76\uff85 half-width katakana',
    '\ufb01ne \ufb02ower ligatures',
    '\u2460\u2461\u2462 circled',
    'x\u00b2 + y\u00b3 = z\u2074',
    '\u212b ngstr\u00f6m and A\u030a',
    'cafe\u0301 vs caf\u00e9',
    'wait\u2026 \u2122 \u00bd',
    'ideographic\u3000space and no\u00a0break',
    'zero\u200bwidth',
    '\ufeffbyte order mark',
    '\u3395 \u337f \u2163',
    '\u1100\u1161 jamo',
    'emoji \U0001F600 here',
    '\U0001F600\U0001F600 two in a row',
    'thumbs \U0001F44D\U0001F3FD',
    'family \U0001F468\u200d\U0001F469\u200d\U0001F467',
    '\u6f22\u5b57 and \u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8',
    '\ud55c\uad6d\uc5b4 \u0645\u0631\u062d\u0628\u0627 \u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435',
    '\u2581 literal lower block \u2581\u2581',
    '<s> </s> <unk> <pad> <0x41>',
    'a<sep>b <sep> c<sep>',
    '1234567890 3.14159',
    'Botchan said \U0001F600 twice \U0001F600\U0001F600, then left.',
    ' '.join(['supercalifragilisticexpialidocious'] * 8),
]


def botchan_lines(path):
    with open(path, 'rb') as f:
        lines = f.read().decode('utf-8').split('\n')
    if lines[-1] == '':
        lines.pop()
    return lines


def chosen_lines(lines):
    """The first 20 lines (header, byte-order mark) and every 12th line after: about 370."""
    return [i for i in range(len(lines)) if i < 20 or i % 12 == 0]


def cases(sp, lines):
    out = []
    for i in chosen_lines(lines):
        out.append(dict(line=i + 1, **encoded(sp, lines[i])))
    for text in TEXTS:
        out.append(dict(text=text, **encoded(sp, text)))
    return out


def encoded(sp, text):
    ids = sp.encode(text, out_type=int)
    pieces = sp.encode(text, out_type=str)
    return {'ids': ids, 'pieces': pieces, 'decoded': sp.decode(ids), 'decodedPieces': sp.decode(pieces)}


def write_fixture(name, model, sp, lines):
    fixture = {
        'format': 'transformer-ts sentencepiece fixture',
        'version': 1,
        'model': model,
        'sentencepiece': spm.__version__,
        'cases': cases(sp, lines),
    }
    path = os.path.join(OUT_DIR, name)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(fixture, f, ensure_ascii=False, indent=None, separators=(',', ':'))
        f.write('\n')
    print(f'{os.path.relpath(path, ROOT)}: {len(fixture["cases"])} cases')


def train(lines, name, **options):
    """Trains from the lines in memory into memory, so that no path or temporary name ends up in the model."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        num_threads=1,
        minloglevel=2,
        user_defined_symbols=['<sep>'],
        **options,
    )
    path = os.path.join(OUT_DIR, name)
    with open(path, 'wb') as f:
        f.write(model.getvalue())
    return spm.SentencePieceProcessor(model_file=path)


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'data')
    botchan = os.path.join(shared, 'spm', 'botchan.txt')
    lines = botchan_lines(botchan)
    os.makedirs(OUT_DIR, exist_ok=True)

    sp = spm.SentencePieceProcessor(model_file=os.path.join(shared, 'spm', 'test_model.model'))
    write_fixture('test_model.json', 'spm/test_model.model', sp, lines)

    sp = train(lines, 'bpe.model', model_type='bpe', vocab_size=500, byte_fallback=True)
    write_fixture('bpe.json', 'bpe.model', sp, lines)

    sp = train(
        lines,
        'unigram-bytes.model',
        model_type='unigram',
        vocab_size=700,
        byte_fallback=True,
        normalization_rule_name='identity',
    )
    write_fixture('unigram-bytes.json', 'unigram-bytes.model', sp, lines)


if __name__ == '__main__':
    main()
