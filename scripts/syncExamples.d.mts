/** Types of scripts/syncExamples.mjs, for the test that runs its check. */
export declare const ROOT: string;
export declare function exampleText(source: string): string;
export declare function syncReadme(
  readme: string,
  readExample: (file: string) => string,
  exampleFiles: readonly string[],
): { text: string; problems: string[] };
export declare function listExamples(root?: string): string[];
export declare function run(options?: { root?: string; check?: boolean }): {
  problems: string[];
  differs: boolean;
};
