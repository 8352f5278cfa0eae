// SHA-256 through Web Crypto (Node 20 and browsers on secure pages alike): checkpoint fingerprints and
// the per-file integrity of bundles.

export class HashUnavailableError extends Error {
  override name = 'HashUnavailableError';
}

/** Lowercase hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new HashUnavailableError(
      'cannot check file integrity: this page has no Web Crypto (crypto.subtle exists only on https:// or localhost pages); open the app over https or from localhost',
    );
  }
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
