/** Joins path segments with `/` (enough for our own layouts on every platform and in browser storage). */
export function joinPath(directory: string, name: string): string {
  return directory.endsWith('/') || directory.endsWith('\\') ? `${directory}${name}` : `${directory}/${name}`;
}

/** The folder that holds `path` (what comes before its last `/` or `\\`); `path` itself when it has no separator. */
export function parentDirectory(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut > 0 ? path.slice(0, cut) : path;
}
