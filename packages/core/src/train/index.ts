// Barrel of this area's public API; re-exported by src/index.ts.
export {};
