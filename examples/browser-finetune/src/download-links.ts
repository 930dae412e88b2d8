/**
 * Offering the adapter's files (bytes from the worker) as downloads: one
 * Blob link per file.
 */
import type { AdapterFile } from './protocol';

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
