// Types for bin/cliBundle.mjs (plain JavaScript so that bin/heta.mjs runs it without a TypeScript loader).

/** What is bundled, where to, and which unbundled files also shape the build. */
export interface BundleSpec {
  root: string;
  entry: string;
  outFile: string;
  config: string[];
}

export const CLI: BundleSpec;
export function staleReason(spec?: BundleSpec): string | null;
export function buildBundle(spec?: BundleSpec): Promise<string>;
export function freshBundle(spec?: BundleSpec): Promise<string | null>;
