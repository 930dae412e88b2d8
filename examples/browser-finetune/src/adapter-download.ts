/**
 * Downloading the trained adapter in Python PEFT's layout:
 * `adapter_config.json` + `adapter_model.safetensors`, which
 * `PeftModel.from_pretrained(model, folder)` loads. core's `saveAdapter`
 * writes them into an in-memory FileIO; each becomes a Blob download.
 */
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, type AdapterSet, saveAdapter } from '@tunekit/core';
import { createMemoryFileIO } from './memory-file-io';

/** One file of the adapter. */
export interface AdapterFile {
  name: string;
  bytes: Uint8Array;
  type: string;
}

/** The adapter's two files, serialised. */
export async function adapterFiles(adapter: AdapterSet, baseModelNameOrPath: string | undefined): Promise<AdapterFile[]> {
  const files = createMemoryFileIO();
  await saveAdapter({ adapter, directory: 'adapter', baseModelNameOrPath, files });
  const read = (name: string) => files.readFile(`adapter/${name}`);
  return [
    { name: ADAPTER_CONFIG_FILE, bytes: await read(ADAPTER_CONFIG_FILE), type: 'application/json' },
    { name: ADAPTER_WEIGHTS_FILE, bytes: await read(ADAPTER_WEIGHTS_FILE), type: 'application/octet-stream' },
  ];
}

/**
 * A link that downloads `file`. Links stay on the page (a browser may hold
 * back a second automatic download until the user allows it, and the user
 * can click again); the caller clicks them once to start the downloads.
 */
export function downloadLink(file: AdapterFile): HTMLAnchorElement {
  const link = document.createElement('a');
  // A copy into a fresh ArrayBuffer: Blob wants ArrayBuffer-backed views.
  link.href = URL.createObjectURL(new Blob([file.bytes.slice()], { type: file.type }));
  link.download = file.name;
  link.textContent = `${file.name} (${file.bytes.byteLength.toLocaleString('en-US')} bytes)`;
  return link;
}

/** Frees the Blob URLs of links made by {@link downloadLink}. */
export function revokeLinks(links: Iterable<HTMLAnchorElement>): void {
  for (const link of links) URL.revokeObjectURL(link.href);
}
