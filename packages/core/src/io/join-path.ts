/** Joins path segments with `/` (enough for our own layouts on every platform and in browser storage). */
export function joinPath(directory: string, name: string): string {
  return directory.endsWith('/') || directory.endsWith('\\') ? `${directory}${name}` : `${directory}/${name}`;
}
