/** Types of docs-assets.mjs for the TypeScript that imports it (dev-stack.ts, tests). */
export declare const publicDir: string;
/** Copies what is missing or changed into public/; returns the files copied. */
export declare function copyDocsAssets(): string[];
