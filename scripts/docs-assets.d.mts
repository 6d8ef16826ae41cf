/** Types of docs-assets.mjs for the TypeScript that imports it (dev-stack.ts, tests). */
export declare const assetsDir: string;
/** Copies what is missing or changed into src/openapi/assets/; returns the files copied. */
export declare function copyDocsAssets(): string[];
