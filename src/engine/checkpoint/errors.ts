// One error type for every checkpoint reader, so callers (UI, CLI) can tell
// "this checkpoint is bad or unsupported" apart from bugs and show the message as-is.

export interface CheckpointErrorContext {
  /** File the problem was found in, e.g. `model.safetensors` or `config.json`. */
  file?: string;
  /** Tensor the problem concerns, when there is one. */
  tensor?: string;
}

export class CheckpointError extends Error {
  readonly file?: string;
  readonly tensor?: string;

  constructor(message: string, context: CheckpointErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointError';
    this.file = context.file;
    this.tensor = context.tensor;
  }
}
