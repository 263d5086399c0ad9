export declare const FILES: string[];
export declare const ASSETS_DIR: string;
export declare function buildDocsAssets(): { out: string; version: string };
