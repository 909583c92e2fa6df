/**
 * The package's root folder (where package.json and routes.yaml are). This file sits one level
 * below it both as source (src/) and when built (dist/, where the bundler puts every chunk side by
 * side), so every module asks here instead of counting `../` from its own place.
 */
export const PACKAGE_ROOT = new URL('../', import.meta.url);

export const packageFile = (name: string): URL => new URL(name, PACKAGE_ROOT);
