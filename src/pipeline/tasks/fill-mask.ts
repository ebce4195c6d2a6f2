// The 'fill-mask' task needs an encoder-only masked-LM folder whose tokenizer has a mask token. Our
// tokenizers have none yet (they reserve <pad>, <s>, </s>, <unk>), so for now the task says what the
// folder lacks; it comes with the training of encoder-only models.

import { EncoderOnly } from '../../model/encoder-only.js';
import { PipelineError } from '../options.js';
import { requireModel, type PipelineSource } from '../source.js';

export function fillMaskPipeline(source: PipelineSource): never {
  const model = requireModel('fill-mask', source, 'encoder-only', EncoderOnly);
  const name = source.name ?? 'the model';
  if (model.config.head !== 'masked-lm')
    throw new PipelineError(`fill-mask needs a masked-lm head; ${name} has a ${model.config.head} head`);
  throw new PipelineError(`fill-mask needs a tokenizer with a mask token; the tokenizer of ${name} has none`);
}
