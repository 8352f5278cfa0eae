// Shared shapes of a Hugging Face checkpoint as the compiler sees it.
// Everything here is plain data so it crosses worker boundaries and runs in Node and browsers alike.

// The parsed config.json is the architectures' description of the model; checkpoint readers return it.
export type { ModelConfig, RopeScaling } from '../architectures/config';

export type DType = 'F32' | 'F16' | 'BF16';

/** One tensor of a checkpoint, converted to float32. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** Random-access source of checkpoint files, implemented over the filesystem (Node), fetch or File objects (browser). */
export interface FileSource {
  /** Human-readable location used in error messages. */
  readonly label: string;
  has(name: string): Promise<boolean>;
  read(name: string): Promise<Uint8Array>;
}
