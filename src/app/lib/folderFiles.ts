import type { LocalFile } from '../engine';
// A folder the user picked (<input webkitdirectory>) or dropped, as the worker wants it: the folder's
// name and its top-level files by name. Files in subfolders are left out (a checkpoint or bundle keeps
// its files at the top; subfolders such as onnx/ or original/ hold other formats).


export interface PickedFolder {
  label: string;
  files: LocalFile[];
}

/** From an <input type=file webkitdirectory> (paths "folder/name") or a plain multi-file input. */
export function folderFromFileList(list: ArrayLike<File>): PickedFolder | null {
  const files: LocalFile[] = [];
  let label: string | null = null;
  for (const file of Array.from(list)) {
    const parts = (file.webkitRelativePath || file.name).split('/');
    if (parts.length > 2) continue;
    if (parts.length === 2) label ??= parts[0]!;
    files.push({ name: parts[parts.length - 1]!, file });
  }
  if (files.length === 0) return null;
  return { label: label ?? 'selected files', files };
}

// Minimal typings of the File and Directory Entries API (drag and drop of folders).
interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
}
interface FileEntryLike extends EntryLike {
  file(ok: (f: File) => void, fail: (e: unknown) => void): void;
}
interface DirectoryEntryLike extends EntryLike {
  createReader(): { readEntries(ok: (entries: EntryLike[]) => void, fail: (e: unknown) => void): void };
}

const fileOf = (entry: FileEntryLike) => new Promise<File>((ok, fail) => entry.file(ok, fail));

async function topLevelEntries(dir: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = dir.createReader();
  const all: EntryLike[] = [];
  // readEntries returns the listing in batches until an empty one.
  for (;;) {
    const batch = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** From a drop: one folder (its top-level files), or loose files. */
export async function folderFromDrop(data: DataTransfer): Promise<PickedFolder | null> {
  const entries = Array.from(data.items)
    .map((item) => (item.kind === 'file' ? (item.webkitGetAsEntry() as EntryLike | null) : null))
    .filter((e): e is EntryLike => e !== null);
  const dir = entries.length === 1 && entries[0]!.isDirectory ? (entries[0] as DirectoryEntryLike) : null;
  if (dir) {
    const files = await Promise.all(
      (await topLevelEntries(dir)).filter((e) => e.isFile).map(async (e) => ({ name: e.name, file: await fileOf(e as FileEntryLike) })),
    );
    return files.length ? { label: dir.name, files } : null;
  }
  return folderFromFileList(data.files);
}
