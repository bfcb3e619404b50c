/** Types of compiledBuild.js (plain JavaScript, so the bin can use it before TypeScript loads). */
export declare const PACKAGE_ROOT: string;
export declare const COMPILED_CLI: URL;
export declare function compiledBuildIsFresh(): boolean;
