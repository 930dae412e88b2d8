/**
 * Downloading the trained adapter in Python PEFT's layout:
 * `adapter_config.json` + `adapter_model.safetensors`, which
 * `PeftModel.from_pretrained(model, folder)` loads. core's `saveAdapter`
 * writes them into an in-memory FileIO; the worker sends the bytes to the
 * page, which offers each as a Blob download (`../download-links.ts`).
 */
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, type AdapterSet, saveAdapter } from '@tunekit/core';
import type { AdapterFile } from '../protocol';
import { createMemoryFileIO } from './memory-file-io';

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
