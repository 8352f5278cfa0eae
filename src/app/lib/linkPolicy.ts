import { HubRefError, parseHubSpec, hubStoreKey, specKind, type QuantScheme } from '../engine';
// What a model address that arrived in a link may load without asking. A link is written by someone
// else: opening it must not make the browser download from a host the user did not choose (a tracker,
// a multi-gigabyte file). The app's own origin, a bundle stored in this browser and a `local:` folder
// load at once; a bundle on another origin or a hub model that is not stored waits for the user's click,
// and the page shows what would be downloaded and from where. Pure: decided before any request is made.


/** What the consent prompt shows (all of it known from the link itself, before any request). */
export type DownloadRequest =
  | {
      kind: 'bundle';
      /** The model address as the link gave it. */
      spec: string;
      /** The bundle folder, absolute. */
      url: string;
      /** The origin the files would come from, and its host for the prompt. */
      origin: string;
      host: string;
    }
  | {
      kind: 'hub';
      spec: string;
      /** The hub's base URL; its origin and host as above. */
      url: string;
      origin: string;
      host: string;
      repo: string;
      revision: string;
      quant: QuantScheme;
    };

export type LinkLoadDecision = { action: 'load' } | { action: 'ask'; request: DownloadRequest } | { action: 'refuse'; message: string };

export interface LinkPolicyContext {
  /** The page's own address: its origin loads without asking. */
  pageUrl: string;
  /** Where `hf:` ids are downloaded from (the user's hub setting) and the quantization they are compiled with. */
  hubUrl: string;
  quant: QuantScheme;
  /** Keys of the bundles stored in this browser (BundleCache): a stored hub model loads without network. */
  storedKeys: ReadonlySet<string>;
}

export function decideLinkLoad(spec: string, ctx: LinkPolicyContext): LinkLoadDecision {
  const page = new URL(ctx.pageUrl);
  switch (specKind(spec)) {
    case 'local':
      // A folder compiled earlier and stored here, or nothing: never a network request.
      return { action: 'load' };
    case 'hub': {
      let ref;
      try {
        ref = parseHubSpec(spec, ctx.hubUrl);
      } catch (e) {
        if (e instanceof HubRefError) return { action: 'refuse', message: `The link's model '${spec}' is not valid: ${e.message}.` };
        throw e;
      }
      if (ctx.storedKeys.has(hubStoreKey(ref, ctx.quant))) return { action: 'load' };
      const hub = new URL(ref.hubUrl);
      if (hub.origin === page.origin) return { action: 'load' };
      return { action: 'ask', request: { kind: 'hub', spec, url: ref.hubUrl, origin: hub.origin, host: hub.host, repo: ref.repo, revision: ref.revision, quant: ctx.quant } };
    }
    case 'bundle': {
      let url: URL;
      try {
        url = new URL(spec, page);
      } catch {
        return { action: 'refuse', message: `The link's model address '${spec}' is not a valid URL.` };
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        return { action: 'refuse', message: `The link's model address '${spec}' is not an http(s) address: bundles load only over http(s).` };
      }
      if (url.origin === page.origin) return { action: 'load' };
      return { action: 'ask', request: { kind: 'bundle', spec, url: url.href, origin: url.origin, host: url.host } };
    }
  }
}

/** Whether two prompts ask for the same download (same address from the same place). */
export function sameDownload(a: DownloadRequest, b: DownloadRequest): boolean {
  return a.kind === b.kind && a.spec === b.spec && a.url === b.url && (a.kind !== 'hub' || (b.kind === 'hub' && a.quant === b.quant));
}
