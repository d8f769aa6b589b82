export declare const HEADER: string;
export declare function uniqueOperationIds<T>(spec: T): T;
export declare function generateTypes(spec: unknown): Promise<string>;
